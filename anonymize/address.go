package anonymize

import "bytes"

// detectEnglishAddresses finds Japanese addresses written in English:
// "1-1-1 Marunouchi, Chiyoda-ku, Tokyo 100-0005". The anchor is a
// municipality with its romanized suffix (-ku, -shi, -cho, -machi, -gun,
// -mura); the address runs from the block number of the segment before it
// to the prefecture, postal code and "Japan" after it, and counts only with
// at least one of block number, prefecture or postal code. A postal code
// (NNN-NNNN or seven digits) next to a prefecture or an address is an
// address on its own.
func (s *scrubber) detectEnglishAddresses(nt *normText) {
	b := nt.b
	for _, suf := range municipalitySuffixes {
		for off := 0; ; {
			k := bytes.Index(b[off:], suf)
			if k < 0 {
				break
			}
			k += off
			off = k + len(suf)
			z := k + len(suf)
			if z < len(b) && isAlnum(b[z]) {
				continue
			}
			a := k
			for a > 0 && isLetter(b[a-1]) {
				a--
			}
			if k-a < 2 {
				continue
			}
			evidence := false
			// The segment before: "1-1-1 Marunouchi, " or "Marunouchi 1-chome, ".
			if a >= 2 && b[a-2] == ',' && b[a-1] == ' ' {
				seg := a - 2
				st := seg
				for st > 0 && seg-st < 48 && (isAlnum(b[st-1]) || b[st-1] == ' ' || b[st-1] == '-') {
					st--
				}
				for i := st; i < seg; i++ {
					if isDigit(b[i]) && (i == st || !isAlnum(b[i-1])) {
						evidence = true
						if w, ok := wordBefore(b, i, " "); ok && w.a >= st && nt.capitalized(w) {
							i = w.a
						}
						a = i
						break
					}
				}
			}
			// After: ", Tokyo 100-0005, Japan".
			z, more := s.addressTail(b, z)
			if evidence || more {
				s.spans = append(s.spans, span{a, z, KindAddress, -1})
			}
		}
	}
	// Postal codes beside a prefecture or an address.
	for i := 0; i+7 <= len(b); i++ {
		n := postcodeLen(b, i)
		if n == 0 {
			continue
		}
		near := false
		for _, l := range [][]span{s.prefs, s.spans} {
			for _, sp := range l {
				if sp.kind == kindPrefecture || sp.kind == KindAddress {
					if gap := i - sp.z; gap >= 0 && gap <= 3 || sp.a-(i+n) >= 0 && sp.a-(i+n) <= 3 {
						near = true
					}
				}
			}
		}
		if near {
			s.spans = append(s.spans, span{i, i + n, KindAddress, -1})
		}
		i += n - 1
	}
}

// postcodeLen returns the length of a postal code standing alone at b[i:]:
// 8 for NNN-NNNN, 7 for seven digits, 0 for none.
func postcodeLen(b []byte, i int) int {
	if isPostcode(b, i) {
		return 8
	}
	if i+7 > len(b) || i > 0 && (isAlnum(b[i-1]) || b[i-1] == '-') || i+7 < len(b) && (isAlnum(b[i+7]) || b[i+7] == '-') {
		return 0
	}
	for k := 0; k < 7; k++ {
		if !isDigit(b[i+k]) {
			return 0
		}
	}
	return 7
}

var municipalitySuffixes = [][]byte{[]byte("-ku"), []byte("-shi"), []byte("-cho"), []byte("-machi"), []byte("-gun"), []byte("-mura")}

// isPostcode reports a Japanese postal code NNN-NNNN standing alone at b[i:].
func isPostcode(b []byte, i int) bool {
	if i+8 > len(b) || i > 0 && (isAlnum(b[i-1]) || b[i-1] == '-') || i+8 < len(b) && (isAlnum(b[i+8]) || b[i+8] == '-') {
		return false
	}
	for k := 0; k < 8; k++ {
		if k == 3 {
			if b[i+k] != '-' {
				return false
			}
		} else if !isDigit(b[i+k]) {
			return false
		}
	}
	return true
}

// addressTail extends an English address over a following prefecture (with
// -to, -fu, -ken or "prefecture"), postal code and "Japan"; more reports
// whether it found a prefecture or a postal code.
func (s *scrubber) addressTail(b []byte, z int) (int, bool) {
	more := false
	for step := 0; step < 4; step++ {
		i := z
		for i < len(b) && (b[i] == ',' || b[i] == ' ') && i-z < 3 {
			i++
		}
		switch {
		case s.prefectureAt(i) > i:
			z = s.prefectureAt(i)
			for _, suf := range []string{"-to", "-fu", "-ken", " prefecture"} {
				if bytes.HasPrefix(b[z:], []byte(suf)) {
					z += len(suf)
					break
				}
			}
			more = true
		case isPostcode(b, i):
			z, more = i+8, true
		case bytes.HasPrefix(b[i:], []byte("japan")) && (i+5 == len(b) || !isAlnum(b[i+5])):
			z = i + 5
		default:
			return z, more
		}
	}
	return z, more
}

// prefectureAt returns the end of a prefecture name found at b[i], or -1.
func (s *scrubber) prefectureAt(i int) int {
	for _, p := range s.prefs {
		if p.a == i {
			return p.z
		}
	}
	return -1
}
