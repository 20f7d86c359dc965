package main

import "sync"

// mutexContention: `goroutines` goroutines share 1M lock, increment, unlock
// rounds of one sync.Mutex; item: one round.
func mutexContention(goroutines int) int {
	const locks = 1_000_000
	var mu sync.Mutex
	var wg sync.WaitGroup
	counter := 0
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < locks/goroutines; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if counter != locks/goroutines*goroutines {
		panic("lost an increment")
	}
	return counter
}
