// build/cnnbp eval | check | gradcheck: the oracle's commands on case files.
#pragma once

#include <string>

namespace cnnbp::cli {

/// cnnbp eval CASE [-o OUT] [--canonical] [--npy]: the case with `expected` filled in (and with `canonical`, its params
/// in full, as suite and hunt send it; with `npy`, every tensor in a .npy file beside OUT). Returns the exit status.
int run_eval(const std::string& case_path, const std::string& out_path, bool canonical, bool npy);

/// cnnbp check CASE RESULT [--dtype] [--accumulate] [--json] [--ties] [--bound]: 0 pass, 1 mismatch, 4 not everything
/// judged. With `json`, the report is a JSON object whose "report" holds the text report. Returns the exit status.
int run_check(const std::string& case_path, const std::string& result_path, const std::string& dtype,
              const std::string& accumulate, bool json, const std::string& ties, const std::string& bound);

/// What an exit status means, for --json reports: "pass", "fail", "invalid input or usage", ...
const char* exit_meaning(int status);

/// cnnbp gradcheck CASE [--all] [--json]: finite differences on the oracle itself. Returns the exit status.
int run_gradcheck(const std::string& case_path, bool all, bool as_json);

}  // namespace cnnbp::cli

namespace cnnbp::cli {

/// cnnbp golden [--out DIR]: writes the golden suite and its index README.md into DIR (default golden/).
/// With `large`, the large exact cases instead, their tensors in .npy files.
int run_golden(const std::string& dir, bool large = false);

}  // namespace cnnbp::cli
