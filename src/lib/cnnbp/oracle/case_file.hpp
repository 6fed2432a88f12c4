/// \file
/// Reading and writing case files (`cnnbp-case/1`, \ref case_format "Case files"): JSON with tensors as nested arrays, errors
/// that name the file, the key and the line and column.
#pragma once

#include "cnnbp/core/array.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace cnnbp {

/// Parses JSON text read from `file` (used in messages). With `allow_non_finite`, the tokens NaN, Infinity and
/// -Infinity that Python's json module writes are accepted (as they are in result files); otherwise they are an
/// error. Throws cnnbp::Error with the file, line and column for malformed JSON.
nlohmann::ordered_json parse_json(const std::string& text, const std::string& file, bool allow_non_finite);

/// Reads and parses a JSON file; "-" reads standard input. Throws cnnbp::Error naming the file.
nlohmann::ordered_json read_json_file(const std::string& path, bool allow_non_finite);

/// The Array of a JSON tensor: nested arrays of numbers, the nesting depth being the rank, or a bare number.
/// Throws cnnbp::Error naming `where` (such as "case.json: inputs.x") for ragged nesting, an empty dimension, a
/// non-number, or (unless `allow_non_finite`) a NaN or infinity.
Array array_from_json(const nlohmann::ordered_json& j, const std::string& where, bool allow_non_finite);

/// The JSON of an Array: nested arrays, row-major; every number written so that it reads back to the same double.
nlohmann::ordered_json array_to_json(const Array& a);

/// Writes `text` to `path`, or to standard output for "" or "-": a regular file through a temporary file in the same
/// folder renamed over it, so that a reader never sees half a file; anything else (a device) directly. Every failure
/// (a missing folder, a full disk, a folder in the way) throws cnnbp::Error naming the path and the reason.
void write_text_file(const std::string& path, const std::string& text);

/// A case or result document as text: objects one key per line, each innermost row of a tensor on one line.
std::string format_json(const nlohmann::ordered_json& doc);

}  // namespace cnnbp
