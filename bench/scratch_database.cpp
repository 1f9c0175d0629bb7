#include "scratch_database.hpp"

#include <cctype>
#include <iostream>

#include "botfactory/common/random.hpp"

namespace botfactory::bench {

ScratchDatabase::ScratchDatabase(const std::string& admin_conninfo, const std::string& prefix,
                                 bool keep)
    : admin_(admin_conninfo), name_(prefix + common::random_base62(8)), keep_(keep) {
  for (auto& ch : name_) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  admin_.exec("CREATE DATABASE " + name_);
  conninfo_ = admin_conninfo + " dbname=" + name_;
}

ScratchDatabase::~ScratchDatabase() {
  if (keep_) {
    std::cerr << "kept database " << name_ << std::endl;
    return;
  }
  try {
    admin_.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
  }
}

}  // namespace botfactory::bench
