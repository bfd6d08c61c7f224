package stix

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readPatternLines reads testdata/pattern/<name>: one pattern a line, with
// blank lines and lines starting with # skipped.
func readPatternLines(t testing.TB, name string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "pattern", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestValidatePatternSpecExamples(t *testing.T) {
	for _, file := range []string{"spec_examples.txt", "schema_examples.txt"} {
		pats := readPatternLines(t, file)
		if len(pats) == 0 {
			t.Fatalf("%s: no patterns", file)
		}
		for _, p := range pats {
			if err := ValidatePattern(p); err != nil {
				t.Errorf("%s: ValidatePattern(%q) = %v, want nil", file, p, err)
			}
		}
	}
}

// TestValidatePatternSchemaExamples checks every indicator pattern in the
// OASIS schema repository's examples, when the shared checkout is present
// (PROFILE.md §1: the hub must agree with the OASIS schemas on every example).
func TestValidatePatternSchemaExamples(t *testing.T) {
	root := filepath.Join("..", "..", "shared", "stix2-json-schemas", "examples")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("no shared schema checkout at %s", root)
	}
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var doc any
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil // not every example need be valid JSON for this test
		}
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				if p, ok := v["pattern"].(string); ok && v["type"] == "indicator" && v["pattern_type"] == "stix" {
					n++
					if err := ValidatePattern(p); err != nil {
						t.Errorf("%s: ValidatePattern(%q) = %v, want nil", path, p, err)
					}
				}
				for _, x := range v {
					walk(x)
				}
			case []any:
				for _, x := range v {
					walk(x)
				}
			}
		}
		walk(doc)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("found no indicator patterns in the examples")
	}
}

func TestValidatePatternValid(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
	}{
		{"simple equality", `[ipv4-addr:value = '198.51.100.1']`},
		{"no spaces", `[ipv4-addr:value='198.51.100.1']`},
		{"double equals", `[file:size == 1280]`},
		{"not equal", `[file:size != 1280]`},
		{"not equal diamond", `[file:size <> 1280]`},
		{"less than", `[file:size < 1024]`},
		{"less or equal", `[file:size <= 1024]`},
		{"greater than", `[file:size > 1024]`},
		{"greater or equal", `[file:size >= 1024]`},
		{"negative integer", `[x-sensor:reading > -40]`},
		{"explicit plus", `[x-sensor:reading < +40]`},
		{"float", `[x-sensor:reading >= 7.25]`},
		{"negative float", `[x-sensor:reading >= -0.5]`},
		{"float without integer part", `[x-sensor:reading >= .5]`},
		{"boolean true", `[x509-certificate:is_self_signed = true]`},
		{"boolean false", `[x509-certificate:is_self_signed != false]`},
		{"timestamp", `[file:ctime = t'2026-01-01T00:00:00Z']`},
		{"timestamp fraction", `[file:ctime > t'2016-06-01T01:30:00.123Z']`},
		{"timestamp leap day", `[file:ctime > t'2024-02-29T23:59:59Z']`},
		{"timestamp leap second", `[file:ctime > t'2016-12-31T23:59:60Z']`},
		{"binary", `[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']`},
		{"binary no padding", `[artifact:payload_bin = b'ZXhh']`},
		{"binary double padding", `[artifact:payload_bin = b'ZXhhbXBsZQ==']`},
		{"hex", `[file:magic_number_hex = h'ffD8']`},
		{"empty hex", `[file:magic_number_hex = h'']`},
		{"string escapes", `[file:name = 'O\'Brien\\notes.txt']`},
		{"empty string", `[file:name = '']`},
		{"unicode string", `[file:name = 'レポート.pdf']`},
		{"string keyword inside", `[file:name = 'AND OR ] [']`},
		{"quoted hash name", `[file:hashes.'SHA-256' = 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c']`},
		{"quoted first component", `[file:'hashes'.'SHA-256' = 'aa']`},
		{"extension key", `[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]`},
		{"list index", `[network-traffic:extensions.'http-request-ext'.request_header.'Accept-Encoding' = 'gzip']`},
		{"numeric index", `[email-message:body_multipart[0].body_raw_ref.name = 'a.exe']`},
		{"negative index", `[email-message:body_multipart[-1].content_type = 'text/plain']`},
		{"star index then index", `[x-obj:abc.b[*][1].'c-d' NOT ISSUPERSET '1.2.3.4/16']`},
		{"in set", `[file:name IN ('test.txt', 'test2.exe', 'README')]`},
		{"in numbers", `[network-traffic:dst_port IN (443, 6443, 8443)]`},
		{"in mixed", `[x-foo:bar IN (1, 'a', true, t'2026-01-01T00:00:00Z', h'00', b'AAAA', -1.5)]`},
		{"in empty set", `[x-foo:bar IN ()]`},
		{"not in", `[x-foo:bar NOT IN (1,2,3)]`},
		{"like", `[file:name LIKE 'name%']`},
		{"not like", `[file:name NOT LIKE 'a_cd']`},
		{"matches", `[file:name MATCHES '^Final Report.+\\.exe$']`},
		{"matches no space", `[process:command_line MATCHES'^cmd']`},
		{"matches pcre lookahead", `[url:value MATCHES '^https?://(?!example\\.com)']`},
		{"matches backreference", `[x-foo:bar MATCHES '(a)\\1']`},
		{"issubset", `[ipv4-addr:value ISSUBSET '198.51.100.0/24']`},
		{"not issubset", `[ipv4-addr:value NOT ISSUBSET '198.51.100.0/24']`},
		{"issuperset", `[ipv4-addr:value ISSUPERSET '198.51.100.1/32']`},
		{"exists", `[EXISTS windows-registry-key:values]`},
		{"exists and", `[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo' AND EXISTS windows-registry-key:values[*].data]`},
		{"or mixes types", `[domain-name:value = 'example.com' OR ipv4-addr:value = '203.0.113.1']`},
		{"and same type", `[user-account:account_type = 'unix' AND user-account:user_id = '1007']`},
		{"and of same-type or", `[(file:name = 'pdf.exe' OR file:size = 371712) AND file:mime_type = 'application/pdf']`},
		{"or of ands", `[file:name = 'a' AND file:size = 1 OR ipv4-addr:value = '10.0.0.1' AND ipv4-addr:resolves_to_refs[*].value = 'aa']`},
		{"nested parens in brackets", `( [(network-traffic:dst_port IN(443,6443,8443) AND network-traffic:src_packets != 0) ])`},
		{"observation and", `[file:name = 'a.exe'] AND [ipv4-addr:value = '10.0.0.1']`},
		{"observation or", `[file:name = 'a.exe'] OR [ipv4-addr:value = '10.0.0.1']`},
		{"followedby", `[file:name = 'a.exe'] FOLLOWEDBY [process:name = 'a.exe']`},
		{"within", `[file:name = 'a.exe'] WITHIN 5 SECONDS`},
		{"within float", `[file:name = 'a.exe'] WITHIN 10.3 SECONDS`},
		{"repeats", `[file:name = 'a.exe'] REPEATS 9 TIMES`},
		{"repeats and within", `[file:name = 'a.exe'] REPEATS 5 TIMES WITHIN 1800 SECONDS`},
		{"start stop", `[ipv4-addr:value = '192.168.122.83'] START t'2016-06-01T03:55:00.123Z' STOP t'2016-06-01T04:30:24.743Z'`},
		{"qualifier precedence", `[file:name = 'a'] START t'1932-11-12T15:42:15Z' STOP t'1964-10-23T21:12:26Z' OR [file:name = 'b'] START t'2016-06-01T03:55:00Z' STOP t'2016-06-01T04:30:24Z'`},
		{"regrouped qualifiers", `([file:name = 'a'] REPEATS 2 TIMES) REPEATS 2 TIMES`},
		{"group within twice", `([file:name = 'a']) WITHIN 5 SECONDS WITHIN 6 SECONDS`},
		{"deep grouping", `((([file:name = 'a'] AND [file:name = 'b']) OR [file:name = 'c']) FOLLOWEDBY [file:name = 'd']) WITHIN 22 SECONDS`},
		{"custom object", `[x-usb-device:usbdrive.serial_number = '575833314133343231313937']`},
		{"digits in type", `[x509-certificate:serial_number = '4c:0b']`},
		{"keyword-prefixed identifier", `[x-foo:x_a.ANDROID = 1 AND x-foo:x_b.ORacle = 2]`},
		{"custom property of a standard type", `[file:x_acme_score > 3]`},
		{"quoted custom property", `[x-foo:'x_acme' = 1]`},
		{"standard property named by a string", `[file:'name' = 'a.exe']`},
		{"short standard name on a nested step", `[file:extensions.'ntfs-ext'.sid = 'S-1']`},
		{"white space everywhere", "[ file : hashes . 'SHA-256' [ * ] = 'a' ]\n\tAND\r\n[ file:name = 'b' ]"},
		{"unicode white space", "[file:name\u00a0=\u3000'a']\u2003"},
		{"comments", "/* lead */ [file:name = 'a'] // trailing"},
		{"block comment inside", "[file:name /* which file */ = 'a']"},
		{"leading zero float", `[x-foo:bar = 00.5]`},
		{"zero", `[x-foo:bar = 0]`},
		{"hyphen type with keyword-like part", `[x-not-and:value = 'a']`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ValidatePattern(tt.pattern); err != nil {
				t.Errorf("ValidatePattern(%q) = %v, want nil", tt.pattern, err)
			}
		})
	}
}

func TestValidatePatternInvalid(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		offset  int    // character offset the error must report
		want    string // substring the message must contain
	}{
		{"empty", ``, 0, "empty"},
		{"only space", "   ", 0, "empty"},
		{"no brackets", `file:size = 1280`, 0, "inside square brackets"},
		{"empty brackets", `[]`, 1, `empty observation expression`},
		{"custom property too short", `[x-foo:ab = 'x']`, 7, `"ab" is not a property of x-foo and not a valid custom property name`},
		{"custom property too short on a standard type", `[file:ab = 'x']`, 6, `"ab" is not a property of file`},
		{"quoted short custom property", `[ipv4-addr:'id2' = 'x' OR ipv4-addr:'v' = 'x']`, 36, `"v" is not a property of ipv4-addr`},
		{"upper-case property", `[file:Name = 'a.exe']`, 6, `"Name" is not a property of file`},
		{"custom property with a hyphen, quoted", `[x-foo:'x-bar' = 1]`, 7, `"x-bar" is not a property of x-foo`},
		{"missing value", `[file:size = ]`, 13, `expected a value after "="`},
		{"unquoted string", `[file:hashes.MD5 = cead3f77f6cda6ec00f57d76c9a6879f]`, 19, `found "cead3f77f6cda6ec00f57d76c9a6879f"`},
		{"period for colon", `[file.size = 1280]`, 5, `expected ":" after the object type "file"`},
		{"slash regex", `[file:name MATCHES /.*\\.dll/]`, 19, `unexpected character '/'`},
		{"within missing number", `[file:name = 'a'] WITHIN ]`, 25, "WITHIN needs a positive number"},
		{"within hours", `[file:name = 'a'] WITHIN 5 HOURS`, 27, `expected SECONDS after WITHIN 5`},
		{"within negative", `[file:name = 'a'] WITHIN -5 SECONDS`, 25, `found "-5"`},
		{"within zero", `[file:name = 'a'] WITHIN 0 SECONDS`, 25, "positive"},
		{"within zero float", `[file:name = 'a'] WITHIN 0.00 SECONDS`, 25, "positive"},
		{"repeats zero", `[file:name = 'a'] REPEATS 0 TIMES`, 26, "REPEATS needs a positive integer"},
		{"repeats float", `[file:name = 'a'] REPEATS 1.5 TIMES`, 26, "REPEATS needs a positive integer"},
		{"repeats no times", `[file:name = 'a'] REPEATS 2`, 27, "expected TIMES"},
		{"start without stop", `[file:name = 'a'] START t'2016-06-01T00:00:00Z'`, 47, "expected STOP"},
		{"start with string", `[file:name = 'a'] START '2016-06-01T00:00:00Z' STOP t'2016-06-01T00:00:00Z'`, 24, "START needs a timestamp literal"},
		{"issubset missing operand", `[network-traffic:dst_ref.value ISSUBSET ]`, 40, "ISSUBSET takes a 'string' literal"},
		{"bad operator", `[file:hashes.MD5 =? 'cead3f77f6cda6ec00f57d76c9a6879f']`, 18, `unexpected character '?'`},
		{"unknown operator word", `[file:name CONTAINS 'a']`, 11, `expected a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET) after "file:name", found "CONTAINS"`},
		{"arrow operator", `[file:name => 'a']`, 12, `expected a value after "="`},
		{"bang alone", `[file:name ! 'a']`, 11, `unexpected "!"`},
		{"bad date", `[x-whatever:detected = t'2457-73-22T32:81:84.1Z']`, 23, "month 73 is out of range"},
		{"february 30", `[file:ctime = t'2026-02-30T00:00:00Z']`, 14, "day 30 does not exist in 2026-02"},
		{"not leap year", `[file:ctime = t'2025-02-29T00:00:00Z']`, 14, "day 29 does not exist"},
		{"timestamp offset zone", `[file:ctime = t'2026-01-01T00:00:00+09:00']`, 14, `must end in "Z"`},
		{"timestamp lowercase z", `[file:ctime = t'2026-01-01T00:00:00z']`, 14, `must end in "Z"`},
		{"timestamp date only", `[file:ctime = t'2026-01-01']`, 14, "YYYY-MM-DDTHH:MM:SSZ"},
		{"timestamp empty fraction", `[file:ctime = t'2026-01-01T00:00:00.Z']`, 14, "fractional second"},
		{"bad base64", `[artifact:payload_bin = b'====']`, 24, "not a valid binary literal"},
		{"base64 wrong length", `[artifact:payload_bin = b'abc']`, 24, "not a valid binary literal"},
		{"empty binary", `[artifact:payload_bin = b'']`, 24, "not a valid binary literal"},
		{"odd hex", `[file:magic_number_hex = h'ffd']`, 25, "even number of hex digits"},
		{"non-hex digit", `[file:magic_number_hex = h'fz']`, 28, "only the digits"},
		{"lowercase keyword", `[x-foo:bar=1] within 2 seconds`, 14, `found "within"`},
		{"lowercase and", `[x-foo:bar=1 and x-foo:baz=2]`, 13, `expected AND, OR or "]"`},
		{"duplicate within", `[file:name = 'a'] WITHIN 5 SECONDS WITHIN 6 SECONDS`, 35, "duplicate WITHIN qualifier"},
		{"duplicate repeats", `([file:name = 'a'] REPEATS 2 TIMES REPEATS 3 TIMES)`, 35, "duplicate REPEATS qualifier"},
		{"duplicate start", `[file:name = 'a'] START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00Z' START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00Z'`, 77, "duplicate START qualifier"},
		{"and mixes types", `[network-traffic:src_port = 37020 AND user-account:user_id = 'root']`, 38, `object type "user-account" is joined by AND with "network-traffic"`},
		{"and after mixed or", `[(file:name = 'a' OR ipv4-addr:value = 'b') AND file:size = 1]`, 44, `mixing "file" and "ipv4-addr"`},
		{"and before mixed or", `[file:size = 1 AND (file:name = 'a' OR ipv4-addr:value = 'b')]`, 15, `mixing "file" and "ipv4-addr"`},
		{"and precedence over or", `[file:name = 'a' OR file:size = 1 AND ipv4-addr:value = 'b']`, 38, `"ipv4-addr" is joined by AND with "file"`},
		{"uppercase type", `[File:name = 'a']`, 1, `"File" is not a valid STIX object type`},
		{"underscore type", `[x_whatever:detected = 1]`, 1, `"x_whatever" is not a valid STIX object type`},
		{"short type", `[ab:name = 'a']`, 1, "not a valid STIX object type"},
		{"double hyphen type", `[x--foo:name = 'a']`, 1, "not a valid STIX object type"},
		{"unquoted hyphen property", `[file:extensions.windows-pebinary-ext.sections[*].entropy > 7.0]`, 17, `property name "windows-pebinary-ext" contains a hyphen and must be quoted`},
		{"unquoted hash name", `[file:hashes.SHA-256 = 'aa']`, 13, `must be quoted, as in 'SHA-256'`},
		{"keyword property", `[x-foo:AND = 1]`, 7, `"AND" is a reserved word`},
		{"missing property", `[file: = 'a']`, 7, `expected a property name after "file:"`},
		{"dot then nothing", `[file:hashes. = 'a']`, 14, `expected a property name after "."`},
		{"float as step", `[file:list.5 = 'a']`, 10, `write a list index in brackets`},
		{"bad index", `[file:list['a'] = 'a']`, 11, "expected a list index"},
		{"unclosed index", `[file:list[1 = 'a']`, 13, `expected "]" after the list index`},
		{"unterminated string", `[file:name = 'abc]`, 13, "unterminated string literal"},
		{"bad escape", `[file:name = 'C:\Windows']`, 16, `invalid escape "\W"`},
		{"double quotes", `[file:name = "a"]`, 13, `single quotes`},
		{"leading zero", `[file:size = 007]`, 13, "leading zero"},
		{"ordering a boolean", `[x-foo:bar > true]`, 13, "orderable value"},
		{"like number", `[file:name LIKE 5]`, 16, "LIKE takes a 'string' literal"},
		{"matches number", `[file:name MATCHES 5]`, 19, "MATCHES takes a regular expression"},
		{"bad regex", `[file:name MATCHES '(unclosed']`, 19, "not a valid regular expression (missing closing )"},
		{"bad regex class", `[file:name MATCHES '[z-a]']`, 19, "invalid character class range"},
		{"in without parens", `[file:name IN 'a']`, 14, "IN takes a set in parentheses"},
		{"in missing comma", `[file:name IN ('a' 'b')]`, 19, `expected "," or ")" in the IN set`},
		{"in trailing comma", `[file:name IN ('a',)]`, 19, "expected a value in the IN set"},
		{"not exists", `[NOT EXISTS file:name]`, 1, "expected an object path"},
		{"exists after path", `[file:name EXISTS]`, 11, "EXISTS comes before the object path"},
		{"unclosed bracket", `[file:name = 'a'`, 16, `to close the observation expression opened at offset 0`},
		{"unclosed paren", `([file:name = 'a']`, 18, `to close the parenthesis opened at offset 0`},
		{"unclosed comparison paren", `[(file:name = 'a']`, 17, `to close the parenthesis opened at offset 1`},
		{"trailing garbage", `[file:name = 'a'] ]`, 18, `after a complete observation expression, found "]"`},
		{"dangling and", `[file:name = 'a'] AND`, 21, "found the end of the pattern"},
		{"dangling followedby", `[file:name = 'a'] FOLLOWEDBY`, 28, "expected an observation expression"},
		{"qualifier inside brackets", `[file:name = 'a' WITHIN 5 SECONDS]`, 17, `expected AND, OR or "]"`},
		{"unterminated comment", `[file:name = 'a'] /* note`, 18, "unterminated comment"},
		{"sign without number", `[x-foo:bar = - 5]`, 13, "sign must be followed directly by a number"},
		{"offset in characters", `[file:name = 'レポート' AND x-foo:bar = 1]`, 24, `object type "x-foo"`},
		{"too deep", strings.Repeat("(", 200) + `[file:name = 'a']` + strings.Repeat(")", 200), 100, "nest deeper than 100 levels"},
		{"invalid utf-8", "[file:name = 'a'] \xff", 18, "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePattern(tt.pattern)
			if err == nil {
				t.Fatalf("ValidatePattern(%q) = nil, want an error", tt.pattern)
			}
			var pe *PatternError
			if !errors.As(err, &pe) {
				t.Fatalf("ValidatePattern(%q) error %T, want *PatternError", tt.pattern, err)
			}
			if pe.Offset != tt.offset {
				t.Errorf("ValidatePattern(%q) offset = %d, want %d (%v)", tt.pattern, pe.Offset, tt.offset, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ValidatePattern(%q) = %q, want it to mention %q", tt.pattern, err, tt.want)
			}
		})
	}
}

func TestPatternErrorMessage(t *testing.T) {
	err := ValidatePattern(`[file:name CONTAINS 'a']`)
	const want = `at offset 11: expected a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET) after "file:name", found "CONTAINS"`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// patternTokens splits an accepted-or-not pattern into token texts with the
// package's own lexer, for the fuzz target's whitespace round trip. It
// reports false if the lexer fails.
func patternTokens(p string) ([]string, bool) {
	ps := parser{src: p}
	var out []string
	for {
		if err := ps.next(); err != nil {
			return nil, false
		}
		if ps.tok.kind == tEOF {
			return out, true
		}
		out = append(out, ps.text(ps.tok))
	}
}

func FuzzValidatePattern(f *testing.F) {
	for _, file := range []string{"spec_examples.txt", "schema_examples.txt"} {
		for _, p := range readPatternLines(f, file) {
			f.Add(p)
		}
	}
	for _, p := range []string{
		`[file:name = 'a'] WITHIN 5 SECONDS`,
		`[x-foo:bar IN (1, 'a', true, t'2026-01-01T00:00:00Z', h'00', b'AAAA', -1.5)]`,
		`[EXISTS windows-registry-key:values]`,
		`[file:name MATCHES '^(a|b)+\\d{2,3}$']`,
		"/* c */ [file:name = 'a'] // c",
		`[file:name = 'a' AND ipv4-addr:value = 'b']`,
	} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		err := ValidatePattern(p) // must not panic
		if err != nil {
			var pe *PatternError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T, want *PatternError", err)
			}
			if pe.Offset < 0 || pe.Offset > len([]rune(p)) {
				t.Fatalf("offset %d outside the pattern (%d characters)", pe.Offset, len([]rune(p)))
			}
			return
		}
		// Tokens re-joined with other white space mean the same pattern.
		toks, ok := patternTokens(p)
		if !ok {
			t.Fatalf("accepted pattern %q does not lex", p)
		}
		for _, sep := range []string{" ", "\n\t ", " /**/ "} {
			q := strings.Join(toks, sep)
			if err := ValidatePattern(q); err != nil {
				t.Fatalf("accepted %q but not the same tokens joined by %q: %q: %v", p, sep, q, err)
			}
		}
	})
}

var benchPatterns = []struct {
	name    string
	pattern string
}{
	{"ipv4", `[ipv4-addr:value = '198.51.100.1']`},
	{"sha256", `[file:hashes.'SHA-256' = 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c']`},
	{"or", `[domain-name:value = 'tw.2012yearleft.com' OR ipv4-addr:value = '60.10.1.114' OR ipv4-addr:value = '60.1.1.114']`},
	{"qualified", `([file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\foo\\bar']) WITHIN 300 SECONDS`},
	{"matches", `[email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\.exe$']`},
}

func BenchmarkValidatePattern(b *testing.B) {
	for _, bb := range benchPatterns {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bb.pattern)))
			for b.Loop() {
				if err := ValidatePattern(bb.pattern); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
