package sharing

import "testing"

// mayBeWrapper may only rule out bodies that isWrapper would refuse.
func checkMayBeWrapper(t *testing.T, body []byte) {
	t.Helper()
	if isWrapper(body) && !mayBeWrapper(body) {
		t.Fatalf("mayBeWrapper(%q) = false, but isWrapper is true", body)
	}
}

func TestMayBeWrapper(t *testing.T) {
	for _, tc := range []struct {
		body string
		may  bool
	}{
		{`{"bundle": {"type": "bundle"}}`, true},
		{`{"BUNDLE" : {}, "share_with": []}`, true},
		{`{"Bundle"` + "\t\r\n" + `:{}}`, true},
		{`{"\u0062undle": {}}`, true},
		{`{"type":"bundle","id":"bundle--1","objects":[{"name":"bundle"}]}`, false},
		{`{"objects":[{"description":"a \"bundle\": of things"}]}`, false},
		{`{"objects":[]}`, false},
	} {
		if got := mayBeWrapper([]byte(tc.body)); got != tc.may {
			t.Errorf("mayBeWrapper(%s) = %v, want %v", tc.body, got, tc.may)
		}
		checkMayBeWrapper(t, []byte(tc.body))
	}
}

func FuzzMayBeWrapper(f *testing.F) {
	for _, s := range []string{`{"bundle":{}}`, `{"BuNdLe" :1}`, `{"\u0042undle":{}}`, `{"type":"bundle","objects":[]}`, `{"a":"bundle"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkMayBeWrapper(t, body) })
}
