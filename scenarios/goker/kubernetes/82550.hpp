// GoKer kubernetes/82550: a lazily created credential provider, checked and created by ten
// goroutines at once.
//
// Upstream: kubernetes/kubernetes PR 82550 (https://github.com/kubernetes/kubernetes/pull/82550),
// the kubelet's ECR credential provider. GoBench: goker/nonblocking/kubernetes/82550.
// Bug: LazyProvide() tests p.actualProvider for nil and assigns it with no lock (a lazy init
// without sync.Once): the goroutines race on the field.
//
// Verdict: `race` (race-detector build only): a "LazyProvide" goroutine reading the field
// another one wrote.
//
// Port: actualProvider is a std::shared_ptr (nil is empty); DockerConfig is a
// std::map<std::string, DockerConfigEntry>, and `Provide()["0"]` reads a copy of a fresh map.
// The test returns at once, as in Go; the goroutines still run to the end (they never block).
// No fixed twin: neither the kernel nor its README describes the fix.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_82550 {

struct DockerConfigEntry {};
using DockerConfig = std::map<std::string, DockerConfigEntry>;

struct CachingDockerConfigProvider {
  DockerConfig provide() const { return {}; }
};

struct LazyEcrProvider {
  std::shared_ptr<CachingDockerConfigProvider> actual_provider;  // BUG: unguarded lazy init

  DockerConfigEntry lazy_provide() {
    if (!actual_provider) actual_provider = std::make_shared<CachingDockerConfigProvider>();
    DockerConfig config = actual_provider->provide();
    return config["0"];
  }
};

inline void kernel() {
  auto provider = std::make_shared<LazyEcrProvider>();
  for (int i = 0; i < 10; ++i)
    go("LazyProvide", [provider] { static_cast<void>(provider->lazy_provide()); });
}

inline Scenario scenario() {
  return {"goker/kubernetes/82550", "ECR provider: a lazy init checked and assigned by ten goroutines unguarded",
          {sim::Verdict::race, "LazyProvide", sim::FiberState::running, "", "data race"},
          "", &kernel};
}

}  // namespace lockstep::scenarios::goker_k8s_82550
