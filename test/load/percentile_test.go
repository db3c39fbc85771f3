package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond // 1ms … 100ms
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{name: "Empty", sorted: nil, p: 50, want: 0},
		{name: "One", sorted: []time.Duration{7}, p: 99, want: 7},
		{name: "MedianOfOdd", sorted: []time.Duration{1, 2, 3, 4, 5}, p: 50, want: 3},
		{name: "MedianOfEvenIsLowerMiddle", sorted: []time.Duration{1, 2, 3, 4}, p: 50, want: 2},
		{name: "P50OfHundred", sorted: hundred, p: 50, want: 50 * time.Millisecond},
		{name: "P99OfHundred", sorted: hundred, p: 99, want: 99 * time.Millisecond},
		{name: "P99OfTenIsMax", sorted: hundred[:10], p: 99, want: 10 * time.Millisecond},
		{name: "P100IsMax", sorted: hundred, p: 100, want: 100 * time.Millisecond},
		{name: "P0IsMin", sorted: hundred, p: 0, want: time.Millisecond},
		{name: "AboveHundredIsMax", sorted: hundred, p: 150, want: 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, percentile(tt.sorted, tt.p))
		})
	}
}

func TestSummarise(t *testing.T) {
	at := time.Unix(1000, 0)
	rounds := []measured{
		{
			stats: []clientStats{
				{latencies: []time.Duration{3, 1}, errors: 1, warmupRequests: 4, lastEnd: at, samples: []string{"boom"}},
				{latencies: []time.Duration{2}, warmupRequests: 5, warmupErrors: 1, lastEnd: at, samples: []string{"boom", "bang"}},
			},
			elapsed: 2 * time.Second, cpu: 3 * time.Second, cpuWall: 2 * time.Second, dials: 2,
		},
		{
			stats:   []clientStats{{latencies: []time.Duration{4}, lastEnd: at}},
			elapsed: time.Second, cpu: time.Second, cpuWall: time.Second, dials: 1,
		},
	}
	r := summarise(target{Name: "ours", Tool: "listVMs"}, rounds, 2)

	assert.Equal(t, 2, r.Rounds)
	assert.Equal(t, 4, r.Requests, "every client of every round")
	assert.Equal(t, 1, r.Errors)
	assert.Equal(t, 9, r.WarmupRequests)
	assert.Equal(t, 1, r.WarmupErrors)
	assert.Equal(t, 3*time.Second, r.Elapsed, "the rounds' sum")
	assert.InDelta(t, 4.0/3.0, r.RPS, 1e-9)
	assert.Equal(t, time.Second, r.CPUPerRequest, "4s of CPU over 4 requests")
	assert.InDelta(t, 4.0/6.0, r.CPUUtilisation, 1e-9, "4s of CPU over 3s on 2 procs")
	assert.Equal(t, time.Duration(2), r.P50)
	assert.Equal(t, time.Duration(4), r.P99)
	assert.Equal(t, time.Duration(4), r.Max)
	assert.Equal(t, []string{"boom", "bang"}, r.ErrorSamples, "distinct samples, in order")
	assert.Equal(t, int64(3), r.Dials)
}

func TestSummariseWithoutCPU(t *testing.T) {
	r := summarise(target{}, []measured{{stats: []clientStats{{latencies: []time.Duration{5}}}, elapsed: time.Second}}, 2)
	assert.Equal(t, 1, r.Requests)
	assert.Zero(t, r.CPUPerRequest, "unknown, not made up")
	assert.Zero(t, r.CPUUtilisation)
}
