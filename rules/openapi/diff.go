package openapi

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"

	oas "github.com/mtlslint/mtlslint/parsers/openapi"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// DiffInput is a pair of versions of one spec.
type DiffInput struct {
	Old, New *oas.Spec
	// OldLabel names the old version in messages: a file path or a git
	// revision.
	OldLabel string
	// RelateOld: the old version's ranges are valid related locations
	// (false when both versions share one path, as with --spec-base).
	RelateOld bool
}

// SpecDiff is Diff for `mtlslint spec-diff`, outside an engine run: the
// diagnostics as O004 findings.
func SpecDiff(in DiffInput) []rules.Finding {
	var out []rules.Finding
	for _, d := range Diff(in) {
		out = append(out, Dropped.Finding(d))
	}
	return out
}

// Diff reports, as O004 diagnostics in the new version, every operation whose
// effective security required mutual TLS in every alternative in the old
// version and no longer does. Operations are paired by method and path
// template (parameter names aside). Each message says what oasdiff's
// checker reports for the operation, when oasdiff could compare the pair.
func Diff(in DiffInput) []rules.Diagnostic {
	if in.Old == nil || in.New == nil {
		return nil
	}
	changes, oerr := oasdiffChanges(in.Old, in.New)
	byOp := map[string][]checker.Change{}
	for _, c := range changes {
		k := opKey(c.GetOperation(), c.GetPath())
		byOp[k] = append(byOp[k], c)
	}
	newOps := map[string]*oas.Operation{}
	for _, op := range in.New.Operations {
		newOps[opKey(op.Method, op.Path)] = op
	}
	var out []rules.Diagnostic
	for _, old := range in.Old.Operations {
		oldSec := in.Old.Effective(old)
		if in.Old.MTLS(oldSec) != oas.MTLSRequired {
			continue
		}
		k := opKey(old.Method, old.Path)
		op := newOps[k]
		if op == nil {
			continue // the operation is gone: nobody can call it without a certificate
		}
		sec := in.New.Effective(op)
		use := in.New.MTLS(sec)
		if use == oas.MTLSRequired {
			continue
		}
		var what string
		switch {
		case use == oas.MTLSOptional:
			what = "mutual TLS is now one alternative among others: " + describe(sec)
		case anonymous(sec):
			what = "the operation now allows anonymous access (" + describe(sec) + ")"
		default:
			what = "mutual TLS was replaced: " + describe(sec)
			if changed := retyped(in.Old, in.New, sec); changed != "" {
				what = changed
			}
		}
		at := op.Range
		switch {
		case op.Security != nil:
			at = op.Security.Range
		case in.New.Security != nil:
			at = in.New.Security.Range
		}
		d := rules.Diagnostic{
			Range:   at,
			Message: fmt.Sprintf("%s no longer requires mutual TLS (it did in %s)", rules.Clip(op.String(), 45), rules.Clip(in.OldLabel, 30)),
			Detail: fmt.Sprintf("%s required mutual TLS in %s (%s); %s. %s",
				op, in.OldLabel, describe(oldSec), what, oasdiffSays(byOp[k], oerr)),
			Key: rules.SpecOperationKey(in.New.Root().Path, k),
		}
		if in.RelateOld && oldSec != nil {
			d.Related = []source.Related{{Range: oldSec.Range, Message: "the requirement in " + in.OldLabel}}
		}
		out = append(out, d)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Range.Start.Offset < out[j].Range.Start.Offset })
	return out
}

// retyped describes schemes that keep their name but are no longer mutual
// TLS.
func retyped(old, new *oas.Spec, sec *oas.SecurityList) string {
	var out []string
	seen := map[string]bool{}
	for _, a := range sec.Alternatives {
		for _, name := range a.Schemes {
			if seen[name] {
				continue
			}
			seen[name] = true
			if old.Scheme(name).MutualTLS() && !new.Scheme(name).MutualTLS() {
				typ := "undefined"
				if sc := new.Scheme(name); sc != nil {
					typ = "type " + sc.Type
				}
				out = append(out, fmt.Sprintf("security scheme %s is no longer mutual TLS (now %s)", name, typ))
			}
		}
	}
	return strings.Join(out, "; ")
}

func anonymous(l *oas.SecurityList) bool {
	if l == nil || len(l.Alternatives) == 0 {
		return true
	}
	for _, a := range l.Alternatives {
		if len(a.Schemes) == 0 {
			return true
		}
	}
	return false
}

// opKey pairs operations across versions: upper-case method and the path
// template with parameter names removed.
func opKey(method, p string) string {
	var b strings.Builder
	b.WriteString(strings.ToUpper(method))
	b.WriteByte(' ')
	for i := 0; i < len(p); i++ {
		if p[i] == '{' {
			if j := strings.IndexByte(p[i:], '}'); j > 0 {
				b.WriteString("{}")
				i += j
				continue
			}
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// oasdiffSays summarises oasdiff's security findings for one operation.
func oasdiffSays(changes []checker.Change, err error) string {
	if err != nil {
		return "oasdiff could not compare the versions (" + err.Error() + ")."
	}
	var ids []string
	breaking := false
	for _, c := range changes {
		if !strings.Contains(c.GetId(), "security") {
			continue
		}
		ids = append(ids, fmt.Sprintf("%s (%s)", c.GetId(), strings.ToUpper(c.GetLevel().String())))
		breaking = breaking || c.GetLevel() >= checker.WARN
	}
	if len(ids) == 0 {
		return "oasdiff reports no security change for this operation, so `oasdiff breaking` does not show it."
	}
	sort.Strings(ids)
	s := "oasdiff reports " + strings.Join(ids, ", ")
	if !breaking {
		s += ", below the WARN level that `oasdiff breaking` shows"
	}
	return s + "."
}

// oasdiffChanges runs oasdiff's diff and every checker rule, at every
// level, on the kin-openapi documents of both versions.
func oasdiffChanges(old, new *oas.Spec) (checker.Changes, error) {
	if old.Doc == nil || new.Doc == nil {
		var errs []string
		if old.Doc == nil {
			errs = append(errs, "old version: "+errString(old.DocErr))
		}
		if new.Doc == nil {
			errs = append(errs, "new version: "+errString(new.DocErr))
		}
		return nil, errors.New("kin-openapi could not load the " + strings.Join(errs, "; "))
	}
	return OasdiffCheck(old.Doc, new.Doc, checker.INFO, old.Root().Path, new.Root().Path)
}

func errString(err error) string {
	if err == nil {
		return "not loaded"
	}
	s := err.Error()
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// OasdiffCheck runs oasdiff's diff and checker on two documents, as
// `oasdiff changelog --level LEVEL` does; level WARN gives what `oasdiff
// breaking` reports. A panic inside oasdiff becomes an error. (oasdiff
// filters the documents' paths in place when path filters are configured;
// none are.)
func OasdiffCheck(base, revision *openapi3.T, level checker.Level, baseName, revisionName string) (changes checker.Changes, err error) {
	defer func() {
		if v := recover(); v != nil {
			changes, err = nil, fmt.Errorf("oasdiff failed: %v", v)
		}
	}()
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(),
		&load.SpecInfo{Spec: base, Url: baseName}, &load.SpecInfo{Spec: revision, Url: revisionName})
	if err != nil {
		return nil, err
	}
	cfg := checker.NewConfig(checker.GetAllChecks())
	return checker.CheckBackwardCompatibilityUntilLevel(cfg, d, sources, level), nil
}
