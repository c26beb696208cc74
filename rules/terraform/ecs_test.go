package terraform

import (
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/rules"
)

// TestECSReach reads who besides the load balancer reaches an ECS
// service's container port, from its security groups.
func TestECSReach(t *testing.T) {
	const base = `
resource "aws_lb" "api" {
  security_groups = [aws_security_group.alb.id]
}
resource "aws_lb_target_group" "app" {}
resource "aws_lb_listener" "l" {
  load_balancer_arn = aws_lb.api.arn
  protocol          = "HTTPS"
  port              = 443
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}
resource "aws_security_group" "alb" {}
resource "aws_security_group" "other" {}
resource "aws_ecs_service" "app" {
  network_configuration {
    security_groups  = SGS
    assign_public_ip = PUBLIC
  }
  load_balancer {
    target_group_arn = aws_lb_target_group.app.arn
    container_port   = 8000
  }
}
resource "aws_security_group" "app" {
  RULES
}
`
	for _, c := range []struct {
		name, sgs, public, rules string
		want                     rules.Reach
	}{
		{"only from the load balancer", "[aws_security_group.app.id]", "true",
			`ingress {
    from_port       = 8000
    to_port         = 8000
    protocol        = "tcp"
    security_groups = [aws_security_group.alb.id]
  }`, rules.ReachProxyOnly},
		{"another port open to all", "[aws_security_group.app.id]", "true",
			`ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }`, rules.ReachProxyOnly},
		{"open to all, public address", "[aws_security_group.app.id]", "true",
			`ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }`, rules.ReachPublic},
		{"open to all, private address", "[aws_security_group.app.id]", "false",
			`ingress {
    from_port   = 8000
    to_port     = 8000
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }`, rules.ReachNetwork},
		{"from another group", "[aws_security_group.app.id]", "false",
			`ingress {
    from_port       = 8000
    to_port         = 8000
    protocol        = "tcp"
    security_groups = [aws_security_group.other.id]
  }`, rules.ReachNetwork},
		{"from itself", "[aws_security_group.app.id]", "false",
			`ingress {
    from_port = 8000
    to_port   = 8000
    protocol  = "tcp"
    self      = true
  }`, rules.ReachNetwork},
		{"a group given by id", `["sg-0123456789abcdef0"]`, "false", ``, rules.ReachUnknown},
		{"a group from a variable beside the module's", "[aws_security_group.app.id, var.extra_group]", "false", ``, rules.ReachUnknown},
		{"a group given by id beside the module's", `[aws_security_group.app.id, "sg-0123456789abcdef0"]`, "false", ``, rules.ReachUnknown},
		{"a port from a variable", "[aws_security_group.app.id]", "false",
			`ingress {
    from_port   = var.port
    to_port     = var.port
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }`, rules.ReachUnknown},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := strings.NewReplacer("SGS", c.sgs, "PUBLIC", c.public, "RULES", c.rules).Replace(base)
			src += "\nvariable \"port\" {\n  type = number\n}\n\nvariable \"extra_group\" {\n  type = string\n}\n"
			var got []rules.Workload
			for _, r := range routes(t, src) {
				got = append(got, r.Upstream.Workloads...)
			}
			if len(got) != 1 {
				t.Fatalf("workloads %+v, want the ECS service", got)
			}
			w := got[0]
			if w.Reach != c.want {
				t.Errorf("reach %s (%s), want %s", w.Reach, w.ReachWhy, c.want)
			}
			if w.Name != "aws_ecs_service.app" || len(w.Binds) != 1 || w.Binds[0].Port != "8000" {
				t.Errorf("workload %+v", w)
			}
		})
	}
}
