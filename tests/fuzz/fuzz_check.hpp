#pragma once
// FUZZ_CHECK(cond): a property of a fuzz target. When it does not hold, prints the condition
// and aborts, which libFuzzer reports as a crash and saves the input as an artifact.

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)
