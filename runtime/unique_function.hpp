// UniqueFunction<R()>: a move-only callable, like C++23 std::move_only_function.
//
// Fiber bodies and goroutine closures own their captures (channels, unique
// pointers), so they must be movable without being copyable. Callables up to
// kInline bytes are stored inline, so a typical spawn does not allocate.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace lockstep::detail {

template <class Signature>
class UniqueFunction;

template <class R>
class UniqueFunction<R()> {
 public:
  static constexpr std::size_t kInline = 48;

  UniqueFunction() noexcept = default;

  template <class F, class D = std::decay_t<F>,
            class = std::enable_if_t<!std::is_same_v<D, UniqueFunction> &&
                                     std::is_invocable_r_v<R, D&>>>
  UniqueFunction(F&& f) {  // NOLINT: implicit like std::function
    // An empty std::function or a null function pointer makes an empty
    // UniqueFunction, so callers can reject it by name instead of failing
    // later with bad_function_call.
    if constexpr (std::is_constructible_v<bool, const D&>)
      if (!static_cast<bool>(f)) return;
    if constexpr (sizeof(D) <= kInline && alignof(D) <= alignof(std::max_align_t) &&
                  std::is_nothrow_move_constructible_v<D>) {
      ::new (static_cast<void*>(buffer_)) D(std::forward<F>(f));
      ops_ = &inline_ops<D>;
    } else {
      *reinterpret_cast<D**>(buffer_) = new D(std::forward<F>(f));
      ops_ = &heap_ops<D>;
    }
  }

  UniqueFunction(UniqueFunction&& other) noexcept : ops_(other.ops_) {
    if (ops_) ops_->move(other.buffer_, buffer_);
    other.ops_ = nullptr;
  }
  UniqueFunction& operator=(UniqueFunction&& other) noexcept {
    if (this != &other) {
      reset();
      ops_ = other.ops_;
      if (ops_) ops_->move(other.buffer_, buffer_);
      other.ops_ = nullptr;
    }
    return *this;
  }
  UniqueFunction(const UniqueFunction&) = delete;
  UniqueFunction& operator=(const UniqueFunction&) = delete;
  ~UniqueFunction() { reset(); }

  explicit operator bool() const noexcept { return ops_ != nullptr; }
  R operator()() { return ops_->call(buffer_); }

 private:
  struct Ops {
    R (*call)(void*);
    void (*move)(void* from, void* to) noexcept;  // leaves `from` destroyed
    void (*destroy)(void*) noexcept;
  };

  template <class D>
  static constexpr Ops inline_ops{
      [](void* p) -> R { return (*static_cast<D*>(p))(); },
      [](void* from, void* to) noexcept {
        ::new (to) D(std::move(*static_cast<D*>(from)));
        static_cast<D*>(from)->~D();
      },
      [](void* p) noexcept { static_cast<D*>(p)->~D(); }};

  template <class D>
  static constexpr Ops heap_ops{
      [](void* p) -> R { return (**static_cast<D**>(p))(); },
      [](void* from, void* to) noexcept { *static_cast<D**>(to) = *static_cast<D**>(from); },
      [](void* p) noexcept { delete *static_cast<D**>(p); }};

  void reset() noexcept {
    if (ops_) ops_->destroy(buffer_);
    ops_ = nullptr;
  }

  alignas(std::max_align_t) unsigned char buffer_[kInline];
  const Ops* ops_ = nullptr;
};

}  // namespace lockstep::detail
