package main

import (
	"math"
	"time"
)

// percentile returns the p-th percentile (0 < p <= 100) of sorted, a slice
// in ascending order, by the nearest-rank method: the smallest value that
// at least p percent of the values do not exceed. It returns 0 for an
// empty slice; p <= 0 gives the minimum, p >= 100 the maximum.
func percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}
