package python

import "testing"

// TestSessionReusesTheDetectRole: a session's Load takes its Detect's role
// of the same content instead of scanning it again, and classifies afresh
// when the content differs.
func TestSessionReusesTheDetectRole(t *testing.T) {
	content := []byte("SECRET_KEY = 'x'\nALLOWED_HOSTS = []\nINSTALLED_APPS = []\n")
	s := NewSession()
	if !s.Detect("proj/settings.py", content) {
		t.Fatal("settings module not detected")
	}
	if got, ok := s.roles.Take("proj/settings.py", content); got != RoleSettings || !ok || s.roles.Len() != 0 {
		t.Fatalf("the session keeps %v (%v, %d more), want the settings role only", got, ok, s.roles.Len())
	}
	// A kept role that a scan would not give shows that Load took it.
	s.roles.Keep("proj/settings.py", content, RoleEntry)
	if got := s.role("proj/settings.py", content); got != RoleEntry {
		t.Fatalf("Load classified again (%v) instead of taking Detect's role", got)
	}
	if s.roles.Len() != 0 {
		t.Errorf("the session keeps the entry after Load took the role")
	}
	// The same path with other content (an edited buffer) is classified anew.
	s.roles.Keep("proj/settings.py", content, RoleEntry)
	other := append([]byte(nil), content...)
	if got := s.role("proj/settings.py", other); got != RoleSettings {
		t.Errorf("other content got %v, want the settings role from its own scan", got)
	}
	// Detect rejecting a file keeps nothing.
	s = NewSession()
	if s.Detect("proj/util.py", []byte("def add(a, b):\n    return a + b\n")) {
		t.Fatal("a helper module detected")
	}
	if s.roles.Len() != 0 {
		t.Errorf("a rejected file is kept")
	}
}
