package main

import (
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type parkedResult struct {
	Name            string  `json:"name"`
	Impl            string  `json:"impl"`
	GoMaxProcs      int     `json:"gomaxprocs"`
	Goroutines      int     `json:"goroutines"`
	RSSBefore       int64   `json:"rss_kib_before"`
	RSSParked       int64   `json:"rss_kib_parked"`
	RSSPerG         float64 `json:"rss_kib_per_goroutine"`
	SpawnParkNsPerG float64 `json:"spawn_park_ns_per_goroutine"`
	TeardownNsPerG  float64 `json:"teardown_ns_per_goroutine"`
	TotalNsPerG     float64 `json:"total_ns_per_goroutine"`
	SpawnParkCPUNs  float64 `json:"spawn_park_cpu_ns_per_goroutine"`
	TeardownCPUNs   float64 `json:"teardown_cpu_ns_per_goroutine"`
	TotalCPUNs      float64 `json:"total_cpu_ns_per_goroutine"`
	GoVersion       string  `json:"go_version"`
}

// parkedGoroutines is the twin of bench/parked_rss.cpp: n goroutines each
// sleep for an hour (a timer each) until told to stop; once all are parked
// VmRSS is read again. Go cannot end a goroutine from outside, so the
// teardown is the nearest thing: one close wakes every sleeper, which stops
// its timer and returns, and a WaitGroup joins them. spawn+park runs from the
// first go statement until the last goroutine has parked (a counter each
// increments just before it blocks, polled with Gosched by main). Each phase
// is also measured in the process's CPU time (user + system), which a loaded
// machine disturbs less than wall time.
func parkedGoroutines(n int) parkedResult {
	stop := make(chan struct{})
	var parked int64
	var finished sync.WaitGroup
	runtime.GC()
	before := vmRSSKiB()
	t0, c0 := time.Now(), cpuTime()
	for i := 0; i < n; i++ {
		finished.Add(1)
		go func() {
			t := time.NewTimer(time.Hour)
			atomic.AddInt64(&parked, 1)
			select {
			case <-t.C:
			case <-stop:
				t.Stop()
			}
			finished.Done()
		}()
	}
	for atomic.LoadInt64(&parked) < int64(n) {
		runtime.Gosched()
	}
	spawnPark, c1 := time.Since(t0), cpuTime()
	rssParked := vmRSSKiB()
	t1, c2 := time.Now(), cpuTime()
	close(stop)
	finished.Wait()
	teardown, c3 := time.Since(t1), cpuTime()
	perG := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(n) }
	return parkedResult{
		Name: "parked_" + strconv.Itoa(n), Impl: "go", GoMaxProcs: runtime.GOMAXPROCS(0),
		Goroutines: n, RSSBefore: before, RSSParked: rssParked,
		RSSPerG:         float64(rssParked-before) / float64(n),
		SpawnParkNsPerG: perG(spawnPark), TeardownNsPerG: perG(teardown),
		TotalNsPerG:    perG(spawnPark + teardown),
		SpawnParkCPUNs: perG(c1 - c0), TeardownCPUNs: perG(c3 - c2), TotalCPUNs: perG(c1 - c0 + c3 - c2),
		GoVersion: runtime.Version(),
	}
}

// cpuTime is the process's user + system time so far.
func cpuTime() time.Duration {
	var u syscall.Rusage
	check(syscall.Getrusage(syscall.RUSAGE_SELF, &u))
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
