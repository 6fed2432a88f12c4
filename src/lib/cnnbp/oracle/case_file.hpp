/// \file
/// Reading and writing case files (`cnnbp-case/1`, \ref case_format "Case files"): JSON with tensors as nested arrays
/// or as references to binary `.npy` files beside it (cnnbp/oracle/npy.hpp), errors that name the file, the key and
/// the line and column.
#pragma once

#include "cnnbp/core/array.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace cnnbp {

/// Parses JSON text read from `file` (used in messages). With `allow_non_finite`, the tokens NaN, Infinity and
/// -Infinity that Python's json module writes are accepted (as they are in result files); otherwise they are an
/// error. Throws cnnbp::Error with the file, line and column for malformed JSON.
nlohmann::ordered_json parse_json(const std::string& text, const std::string& file, bool allow_non_finite);

/// Reads and parses a JSON file; "-" reads standard input. A tensor reference {"npy": PATH} with a relative PATH
/// gets the file's folder put in front of PATH (nothing for standard input: PATH is taken from the current folder),
/// so that the document reads the same from any code that is given it. Throws cnnbp::Error naming the file.
nlohmann::ordered_json read_json_file(const std::string& path, bool allow_non_finite);

/// The Array of a JSON tensor: nested arrays of numbers, the nesting depth being the rank, or a bare number; or a
/// reference to a binary tensor, {"npy": PATH} or {"npy": PATH, "dtype": "bfloat16"}, read by read_npy().
/// Throws cnnbp::Error naming `where` (such as "case.json: inputs.x") for ragged nesting, an empty dimension, a
/// non-number, (unless `allow_non_finite`) a NaN or infinity, or a reference that cannot be read.
Array array_from_json(const nlohmann::ordered_json& j, const std::string& where, bool allow_non_finite);

/// Whether `j` is a reference to a binary tensor: an object with the key "npy".
bool is_npy_reference(const nlohmann::ordered_json& j);

/// Replaces every tensor reference in `doc` by the tensor it names, as nested arrays: for what needs the numbers in
/// the document itself (the protocol, which sends a case as one line; gradcheck, which perturbs them one by one).
/// `file` names the document in messages.
void inline_npy(nlohmann::ordered_json& doc, const std::string& file, bool allow_non_finite);

/// Prepares `doc`, as read_json_file() left it, to be written to `json_path`: each relative reference (relative to
/// the current folder by then) is made relative to the folder of `json_path`; absolute ones are kept. Nothing
/// changes for standard output ("" or "-").
void rebase_npy(nlohmann::ordered_json& doc, const std::string& json_path);

/// Writes every tensor of the case or result `doc` (those under inputs, dout and expected) as an NPY file beside
/// `json_path`, named after it and the tensor's key (OUT.inputs.x.npy, OUT.expected.layer_grads.0.dw.npy for
/// OUT.json), in float64 (class labels in int64), and replaces each by a reference to that name. Throws
/// cnnbp::Error naming the path for standard output or a file that cannot be written.
void write_npy_tensors(nlohmann::ordered_json& doc, const std::string& json_path);

/// The JSON of an Array: nested arrays, row-major; every number written so that it reads back to the same double.
nlohmann::ordered_json array_to_json(const Array& a);

/// Writes `text` to `path`, or to standard output for "" or "-": a regular file through a temporary file in the same
/// folder renamed over it, so that a reader never sees half a file; anything else (a device) directly. Every failure
/// (a missing folder, a full disk, a folder in the way) throws cnnbp::Error naming the path and the reason.
void write_text_file(const std::string& path, const std::string& text);

/// A case or result document as text: objects one key per line, each innermost row of a tensor on one line.
std::string format_json(const nlohmann::ordered_json& doc);

}  // namespace cnnbp
