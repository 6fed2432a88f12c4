// build/cnnbp suite and hunt: differential testing of an implementation over the JSON-lines protocol.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace cnnbp::cli {

/// cnnbp suite [DIR] --impl CMD [--dtype]: every case of DIR through the implementation. Returns the exit status.
int run_suite(const std::string& dir, const std::string& impl, const std::string& dtype, double timeout);

}  // namespace cnnbp::cli
