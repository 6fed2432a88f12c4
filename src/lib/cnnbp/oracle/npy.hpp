/// \file
/// NumPy's binary format, `.npy` (versions 1.0, 2.0 and 3.0): a tensor of a case or result stored beside its JSON
/// file, read with one read of its bytes instead of one JSON number at a time (\ref case_format "Case files", section
/// "Binary tensors"). Only C order (row-major, as Array) and little-endian element types are read.
#pragma once

#include "cnnbp/core/array.hpp"

#include <string>

namespace cnnbp {

/// The element types of an NPY file cnnbp reads and writes; every one is converted to double on reading.
enum class NpyType {
    float64,   ///< `<f8`
    float32,   ///< `<f4`
    float16,   ///< `<f2`, IEEE half precision as NumPy stores it
    bfloat16,  ///< `<u2` holding the upper 16 bits of a float32 (NumPy has no bfloat16 of its own)
    int64,     ///< `<i8`, such as class labels
    int32,     ///< `<i4`
};

/// Reads the NPY file at `path` as an Array of doubles. A 0-d array is a scalar. A `<u2` file is read only with
/// `bfloat16` (the reference said `"dtype": "bfloat16"`), and then nothing else is. Before anything is allocated the
/// file's size must be exactly what its header announces and within limits().file_bytes, and its element count
/// within limits().elements. Throws cnnbp::Error naming `where` (such as "case.json: inputs.x"), the path and the
/// numbers for a missing, truncated or oversized file, a Fortran-order or big-endian array, an unknown element type,
/// an empty dimension, or (unless `allow_non_finite`) a NaN or infinity.
Array read_npy(const std::string& path, const std::string& where, bool allow_non_finite, bool bfloat16);

/// Writes `a` to `path` as an NPY file (version 1.0, or 2.0 for a header beyond 64 KiB) of element type `type`,
/// through a temporary file renamed over `path`. Doubles are rounded to the nearest value of a narrower type, ties
/// to even; an integer type takes only integers in its range. Throws cnnbp::Error naming the path for a value the
/// type cannot hold or a file that cannot be written.
void write_npy(const std::string& path, const Array& a, NpyType type);

}  // namespace cnnbp
