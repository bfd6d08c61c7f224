package outage

import "net/netip"

// prefixTrie finds the held signals whose prefixes overlap a prefix: those
// that contain it (on the path from the root) and those it contains (the
// subtree under it). Two networks overlap exactly when one contains the
// other.
type prefixTrie struct {
	v4, v6 *trieNode
}

type trieNode struct {
	child   [2]*trieNode
	entries []*entry
}

func bitAt(a netip.Addr, i int) int {
	b := a.As16()
	if a.Is4() {
		b4 := a.As4()
		return int(b4[i/8]>>(7-i%8)) & 1
	}
	return int(b[i/8]>>(7-i%8)) & 1
}

func (t *prefixTrie) root(p netip.Prefix, create bool) *trieNode {
	r := &t.v6
	if p.Addr().Is4() {
		r = &t.v4
	}
	if *r == nil && create {
		*r = &trieNode{}
	}
	return *r
}

func (t *prefixTrie) insert(p netip.Prefix, e *entry) {
	n := t.root(p, true)
	for i := 0; i < p.Bits(); i++ {
		b := bitAt(p.Addr(), i)
		if n.child[b] == nil {
			n.child[b] = &trieNode{}
		}
		n = n.child[b]
	}
	n.entries = append(n.entries, e)
}

// overlapping calls fn for every entry held under a prefix that overlaps p.
func (t *prefixTrie) overlapping(p netip.Prefix, fn func(*entry)) {
	n := t.root(p, false)
	for i := 0; n != nil && i < p.Bits(); i++ {
		for _, e := range n.entries {
			fn(e)
		}
		n = n.child[bitAt(p.Addr(), i)]
	}
	if n != nil {
		n.walk(fn)
	}
}

func (n *trieNode) walk(fn func(*entry)) {
	for _, e := range n.entries {
		fn(e)
	}
	for _, c := range n.child {
		if c != nil {
			c.walk(fn)
		}
	}
}

// prefixesOverlap reports whether any prefix of a overlaps any of b.
func prefixesOverlap(a, b []netip.Prefix) bool {
	for _, p := range a {
		for _, q := range b {
			if p.Overlaps(q) {
				return true
			}
		}
	}
	return false
}
