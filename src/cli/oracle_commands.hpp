// build/cnnbp eval | check | gradcheck: the oracle's commands on case files.
#pragma once

#include <string>

namespace cnnbp::cli {

/// cnnbp eval CASE [-o OUT]: the case with `expected` filled in. Returns the exit status.
int run_eval(const std::string& case_path, const std::string& out_path);

/// cnnbp check CASE RESULT [--dtype] [--json] [--ties]: 0 pass, 1 mismatch. Returns the exit status.
int run_check(const std::string& case_path, const std::string& result_path, const std::string& dtype, bool json,
              const std::string& ties);

/// cnnbp gradcheck CASE [--all]: finite differences on the oracle itself. Returns the exit status.
int run_gradcheck(const std::string& case_path, bool all);

}  // namespace cnnbp::cli

namespace cnnbp::cli {

/// cnnbp golden [--out DIR]: writes the golden suite and its index README.md into DIR (default golden/).
int run_golden(const std::string& dir);

}  // namespace cnnbp::cli
