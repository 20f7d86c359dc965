// lockstep-go-bench: the Go twins of lockstep's real-mode benchmarks
// (bench/real_bench.cpp, bench/blocked_goroutines.cpp), so that every figure
// can be read as a ratio to Go measured in the same sitting
// (bench/compare.py, bench/README.md). Standard library only: it builds
// offline with Debian's golang-go 1.19.
//
//	lockstep-go-bench [-procs 1,2] [-reps 5] [-figures all|NAME,...]
//	lockstep-go-bench -blocked COUNT [-procs P]
//	lockstep-go-bench -parked COUNT [-procs P]
//
// The first form runs each figure at each GOMAXPROCS: one untimed warm-up,
// then -reps timed runs of a fixed workload, and prints one JSON line per
// figure and GOMAXPROCS with the median:
//
//	{"name":"pingpong_unbuffered","impl":"go","gomaxprocs":1,"ns_per_op":376.1,...}
//
// The second measures COUNT goroutines blocked on one channel receive (run
// it in a fresh process per count: Go keeps the freed stacks). The third is
// the twin of bench/parked_rss.cpp: COUNT goroutines asleep on a timer each,
// then woken and joined (parked.go). Figures and
// their units are listed in figures (below) and in bench/README.md.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A figure runs its fixed workload once and returns how many items it did.
type figure struct {
	name string
	run  func() int
}

var figures = []figure{
	{"pingpong_unbuffered", pingPong},
	{"spawn_wave1000", spawnWaves},
	{"chan64_1p1c", func() int { return chanThroughput(1, 1, 1_000_000) }},
	{"chan64_8p8c", func() int { return chanThroughput(8, 8, 1_000_000) }},
	{"mutex_2", func() int { return mutexContention(2) }},
	{"mutex_8", func() int { return mutexContention(8) }},
	{"mutex_32", func() int { return mutexContention(32) }},
}

type result struct {
	Name       string  `json:"name"`
	Impl       string  `json:"impl"`
	GoMaxProcs int     `json:"gomaxprocs"`
	NsPerOp    float64 `json:"ns_per_op"`
	NsMin      float64 `json:"ns_per_op_min"`
	NsMax      float64 `json:"ns_per_op_max"`
	Reps       int     `json:"reps"`
	GoVersion  string  `json:"go_version"`
}

func main() {
	procs := flag.String("procs", "1,2", "GOMAXPROCS values, comma-separated")
	reps := flag.Int("reps", 5, "timed runs per figure (the median is reported)")
	only := flag.String("figures", "all", "figures to run, comma-separated, or all")
	blocked := flag.Int("blocked", 0, "measure this many blocked goroutines instead (one -procs value)")
	parked := flag.Int("parked", 0, "measure this many goroutines asleep on timers instead (one -procs value)")
	flag.Parse()

	var procList []int
	for _, s := range strings.Split(*procs, ",") {
		p, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || p < 1 {
			fail("bad -procs %q", *procs)
		}
		procList = append(procList, p)
	}
	if *reps < 1 {
		fail("-reps must be at least 1")
	}
	out := json.NewEncoder(os.Stdout)

	if *blocked > 0 || *parked > 0 {
		if len(procList) != 1 {
			fail("-blocked and -parked take one -procs value")
		}
		runtime.GOMAXPROCS(procList[0])
		if *blocked > 0 {
			check(out.Encode(blockedGoroutines(*blocked)))
		} else {
			check(out.Encode(parkedGoroutines(*parked)))
		}
		return
	}

	selected := map[string]bool{}
	for _, name := range strings.Split(*only, ",") {
		selected[strings.TrimSpace(name)] = true
	}
	for _, f := range figures {
		if !selected["all"] && !selected[f.name] {
			continue
		}
		for _, p := range procList {
			runtime.GOMAXPROCS(p)
			check(out.Encode(measure(f, p, *reps)))
		}
	}
}

// measure runs f once untimed, then reps times, and keeps the median.
func measure(f figure, procs, reps int) result {
	f.run()
	perOp := make([]float64, reps)
	for i := range perOp {
		runtime.GC()
		start := time.Now()
		items := f.run()
		perOp[i] = float64(time.Since(start).Nanoseconds()) / float64(items)
	}
	sort.Float64s(perOp)
	return result{f.name, "go", procs, median(perOp), perOp[0], perOp[reps-1], reps, runtime.Version()}
}

// median of sorted values (the mean of the middle two for an even count).
func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func check(err error) {
	if err != nil {
		fail("%v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "lockstep-go-bench: "+format+"\n", args...)
	os.Exit(2)
}
