// Real mode: the same primitives outside a simulation run on OS threads (the
// M:N runtime by default; LOCKSTEP_RUNTIME=threads for one thread per
// goroutine). Eight workers square the numbers 1..1000 from one channel and
// send the squares to another. Prints:
//
//   sum of squares 1..1000: 333833500, goroutines left: 0
#include <lockstep.hpp>

#include <cstdint>
#include <cstdio>

int main() {
  // Records the goroutines alive now (none); verify() below waits for the
  // count to come back to that, or throws GoroutineLeak with their dump.
  lockstep::LeakCheck leaks;
  lockstep::Chan<int> numbers(64);
  lockstep::Chan<std::int64_t> squares(64);
  lockstep::WaitGroup workers;
  for (int w = 0; w < 8; ++w)
    workers.go([=] {
      for (int n : numbers) squares.send(std::int64_t{n} * n);
    });
  lockstep::go("feeder", [=] {
    for (int n = 1; n <= 1000; ++n) numbers.send(n);
    numbers.close();
  });
  lockstep::go("closer", [=, &workers] {
    workers.wait();
    squares.close();
  });
  std::int64_t sum = 0;
  for (std::int64_t s : squares) sum += s;
  // squares is closed once every worker has returned; the closer and the
  // feeder may still be on their way out, hence a wait, not a count.
  leaks.verify(std::chrono::seconds(5));
  std::printf("sum of squares 1..1000: %lld, goroutines left: %zu\n", static_cast<long long>(sum),
              lockstep::num_goroutines());
  return 0;
}
