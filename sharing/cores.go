package sharing

import (
	"runtime"
	"sync"
)

// onEveryCore calls fn(i) for every i in [0, n), on as many goroutines as
// there are cores, each taking a contiguous run of indexes; below minPer
// items a core it uses fewer. fn must touch only what belongs to i.
func onEveryCore(n, minPer int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/max(minPer, 1)+1)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				fn(i)
			}
		})
	}
	wg.Wait()
}
