package main

import "sync"

// spawnWaves: 1,000 waves of 1,000 goroutines that do nothing, each wave
// joined by a WaitGroup (1M goroutines); item: one goroutine.
func spawnWaves() int {
	const waves, wave = 1_000, 1_000
	for w := 0; w < waves; w++ {
		var wg sync.WaitGroup
		wg.Add(wave)
		for i := 0; i < wave; i++ {
			go wg.Done()
		}
		wg.Wait()
	}
	return waves * wave
}
