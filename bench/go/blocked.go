package main

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

type blockedResult struct {
	Name          string  `json:"name"`
	Impl          string  `json:"impl"`
	GoMaxProcs    int     `json:"gomaxprocs"`
	Goroutines    int     `json:"goroutines"`
	RSSBefore     int64   `json:"rss_kib_before"`
	RSSBlocked    int64   `json:"rss_kib_blocked"`
	RSSPerG       float64 `json:"rss_kib_per_goroutine"`
	SpawnNsPerG   float64 `json:"spawn_ns_per_goroutine"`
	ReleaseNsPerG float64 `json:"release_ns_per_goroutine"`
	GoVersion     string  `json:"go_version"`
}

// blockedGoroutines: n goroutines each say they started, then block
// receiving from one unbuffered channel; once all have started VmRSS is read
// again, then one close releases them all and a WaitGroup joins them. As
// bench/blocked_goroutines.cpp does.
func blockedGoroutines(n int) blockedResult {
	gate := make(chan int)
	var started, finished sync.WaitGroup
	runtime.GC()
	before := vmRSSKiB()
	t0 := time.Now()
	for i := 0; i < n; i++ {
		started.Add(1)
		finished.Add(1)
		go func() {
			started.Done()
			<-gate
			finished.Done()
		}()
	}
	started.Wait()
	spawn := time.Since(t0)
	blocked := vmRSSKiB()
	t2 := time.Now()
	close(gate)
	finished.Wait()
	release := time.Since(t2)
	return blockedResult{
		Name: "blocked_" + strconv.Itoa(n), Impl: "go", GoMaxProcs: runtime.GOMAXPROCS(0),
		Goroutines: n, RSSBefore: before, RSSBlocked: blocked,
		RSSPerG:       float64(blocked-before) / float64(n),
		SpawnNsPerG:   float64(spawn.Nanoseconds()) / float64(n),
		ReleaseNsPerG: float64(release.Nanoseconds()) / float64(n),
		GoVersion:     runtime.Version(),
	}
}

// vmRSSKiB is the process's resident set (VmRSS in /proc/self/status).
func vmRSSKiB() int64 {
	f, err := os.Open("/proc/self/status")
	check(err)
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if fields := strings.Fields(s.Text()); len(fields) >= 2 && fields[0] == "VmRSS:" {
			kib, err := strconv.ParseInt(fields[1], 10, 64)
			check(err)
			return kib
		}
	}
	fail("no VmRSS in /proc/self/status")
	return 0
}
