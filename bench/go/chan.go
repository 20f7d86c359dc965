package main

import "sync"

// chanCapacity is the buffered channels' capacity, as in real_bench.cpp.
const chanCapacity = 64

// pingPong: two goroutines bounce a value over two unbuffered channels;
// item: one round trip.
func pingPong() int {
	const roundTrips = 200_000
	ping, pong := make(chan int), make(chan int)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for v := range ping {
			pong <- v
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < roundTrips; i++ {
			ping <- i
			<-pong
		}
		close(ping)
	}()
	wg.Wait()
	return roundTrips
}

// chanThroughput: `producers` goroutines send `items` ints in all through a
// channel of chanCapacity to `consumers` goroutines; item: one value.
func chanThroughput(producers, consumers, items int) int {
	ch := make(chan int, chanCapacity)
	var sending, receiving sync.WaitGroup
	for p := 0; p < producers; p++ {
		sending.Add(1)
		go func() {
			defer sending.Done()
			for i := 0; i < items/producers; i++ {
				ch <- i
			}
		}()
	}
	for c := 0; c < consumers; c++ {
		receiving.Add(1)
		go func() {
			defer receiving.Done()
			for range ch {
			}
		}()
	}
	sending.Wait()
	close(ch)
	receiving.Wait()
	return items / producers * producers
}
