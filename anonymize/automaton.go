package anonymize

// automaton is an Aho–Corasick automaton over bytes of text in matching form
// (normalize.go), compiled into a dense DFA: one table lookup per input byte,
// built once per registry. Bytes that occur in no term share one byte class,
// which keeps the table small enough to stay in cache.
type automaton struct {
	class  [256]uint8
	nclass int
	delta  []int32   // state*nclass + class → next state
	out    [][]int32 // state → indices of the terms that end here (own and by suffix)
	// step is delta with premultiplied targets (next*nclass) for the hot
	// loop, bitwise negated when the target state has outputs.
	step []int32
}

// newAutomaton compiles the terms (in matching form, without white space).
func newAutomaton(terms []string) *automaton {
	a := &automaton{}
	// Byte classes: 0 for bytes in no term.
	next := 1
	for _, t := range terms {
		for i := 0; i < len(t); i++ {
			if a.class[t[i]] == 0 {
				a.class[t[i]] = uint8(next)
				next++
				if next > 255 {
					// More than 255 distinct bytes: fall back to one class per byte.
					for c := 0; c < 256; c++ {
						a.class[c] = uint8(c)
					}
					next = 256
					goto built
				}
			}
		}
	}
built:
	a.nclass = next
	// Trie.
	type node struct {
		child map[uint8]int32
		fail  int32
		out   []int32
	}
	nodes := []node{{child: map[uint8]int32{}}}
	for ti, t := range terms {
		if t == "" {
			continue
		}
		s := int32(0)
		for i := 0; i < len(t); i++ {
			c := a.class[t[i]]
			nx, ok := nodes[s].child[c]
			if !ok {
				nx = int32(len(nodes))
				nodes = append(nodes, node{child: map[uint8]int32{}})
				nodes[s].child[c] = nx
			}
			s = nx
		}
		nodes[s].out = append(nodes[s].out, int32(ti))
	}
	n := a.nclass
	a.delta = make([]int32, len(nodes)*n)
	a.out = make([][]int32, len(nodes))
	// BFS: failure links, then the full transition function.
	queue := make([]int32, 0, len(nodes))
	for c := 0; c < n; c++ {
		if nx, ok := nodes[0].child[uint8(c)]; ok {
			nodes[nx].fail = 0
			a.delta[c] = nx
			queue = append(queue, nx)
		}
	}
	a.out[0] = nodes[0].out
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := nodes[s].fail
		// Outputs: own, then those of the failure state (already complete).
		if len(nodes[s].out) > 0 || len(a.out[f]) > 0 {
			o := append([]int32(nil), nodes[s].out...)
			a.out[s] = append(o, a.out[f]...)
		}
		for c := 0; c < n; c++ {
			if nx, ok := nodes[s].child[uint8(c)]; ok {
				nodes[nx].fail = a.delta[int(f)*n+c]
				a.delta[int(s)*n+c] = nx
				queue = append(queue, nx)
			} else {
				a.delta[int(s)*n+c] = a.delta[int(f)*n+c]
			}
		}
	}
	a.step = make([]int32, len(a.delta))
	for i, nx := range a.delta {
		v := nx * int32(n)
		if len(a.out[nx]) > 0 {
			v = ^v
		}
		a.step[i] = v
	}
	return a
}
