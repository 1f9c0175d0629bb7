#include "question_split.hpp"

namespace botfactory::bench {

int question_half(pg::Connection& sql, const std::string& id) {
  std::string digest = sql.exec("SELECT md5($1)", {id}).str(0, 0);
  char last = digest.empty() ? '0' : digest.back();
  int value = last <= '9' ? last - '0' : last - 'a' + 10;
  return value % 2;
}

}  // namespace botfactory::bench
