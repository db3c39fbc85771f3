package vsphere

import "time"

// Knobs for the tests of the inventory index: they shrink its pages, its
// waits and its pauses so that a small inventory exercises what a large
// one would.

// WithIndexPageSize makes every answer of the index's WaitForUpdatesEx
// hold at most n objects (WaitOptions.MaxObjectUpdates).
func WithIndexPageSize(n int32) func(*Options) {
	return func(o *Options) { o.indexTuning.pageSize = n }
}

// WithIndexWait bounds how long the index waits for a change per request.
func WithIndexWait(d time.Duration) func(*Options) {
	return func(o *Options) { o.indexTuning.maxWait = d }
}

// WithIndexBackoff sets the first pause before the index builds again
// after a failure.
func WithIndexBackoff(d time.Duration) func(*Options) {
	return func(o *Options) { o.indexTuning.backoff = d }
}
