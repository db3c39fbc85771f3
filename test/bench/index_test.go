package bench

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// BenchmarkIndex starts an adapter with its inventory index on the large
// inventory, waits until the index is ready, and closes it again, once per
// iteration. It reports the wait (ready-ns/op: the login, the load of the
// whole inventory and the build of the index) and the heap the index adds
// (index-heap-MiB: the growth of the live heap, after a collection, from
// before the adapter was created to the moment its index was ready, with
// the shared cold adapter alive throughout). The heap is the process's:
// vcsim runs in it, so that its side of the index's subscription (a
// session, a container view, a filter) is counted too.
func BenchmarkIndex(b *testing.B) {
	inv := large(b)
	var ready time.Duration
	var heap, maxHeap float64
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		before := liveHeap()
		b.StartTimer()

		start := time.Now()
		h, err := connect(b.Context(), inv.sim, true)
		if err != nil {
			b.Fatal(err)
		}
		waitIndex(b, h, inv)
		ready += time.Since(start)

		b.StopTimer()
		grown := float64(liveHeap()-before) / (1 << 20)
		heap += grown
		maxHeap = max(maxHeap, grown)
		runtime.KeepAlive(inv.h) // only the new adapter's index counts
		if err := h.Close(context.WithoutCancel(b.Context())); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(ready.Nanoseconds())/float64(b.N), "ready-ns/op")
	b.ReportMetric(heap/float64(b.N), "index-heap-MiB")
	b.ReportMetric(maxHeap, "max-index-heap-MiB")
}

// liveHeap returns the bytes of live heap objects, after a collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
