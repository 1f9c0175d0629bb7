#pragma once
// The tuning / held-out split of the benchmark questions (docs/benchmarks.md "Character
// 4-grams", "Normalized score"): ranking and gate parameters are chosen on half 0 only.

#include <string>

#include "botfactory/pg/connection.hpp"

namespace botfactory::bench {

/// The half (0: tuning, 1: held out) of a question: the MD5 of its dataset id (UTF-8) read as
/// a big-endian integer, modulo 2 (the parity of the digest's last hex digit), computed by
/// PostgreSQL's md5() over `sql`. The same split as bench/retrieval_prototype/rank.py's half().
/// Throws pg errors.
int question_half(pg::Connection& sql, const std::string& id);

}  // namespace botfactory::bench
