// Writing the worked results as Markdown for Doxygen: numbers, matrices, tables and code blocks (docs/artifacts.hpp).
// The pages' worked examples use dyadic values (k/4, k/8), which num() prints exactly and short; a fragment may use
// the formula macros of docs/formulas.macros (\dout, \dx, ...) inside math().
#pragma once

#include "cnnbp/core/tensor.hpp"

#include <armadillo>
#include <functional>
#include <string>
#include <vector>

namespace cnnbp::cli::fmt {

/// The shortest decimal that reads back as v: 0.375, -2, 1e-300. A dyadic value with few bits prints exactly;
/// -0 prints as 0.
std::string num(double v);
/// A small difference or error, two significant digits: 0 when exactly zero, else like 2.2e-16.
std::string sci(double v);
/// A shape as (1, 2, 3, 4): N, C, H, W.
std::string shape(const Shape4& s);

/// TeX: the matrix as \begin{pmatrix} a & b \\ c & d \end{pmatrix}; `cell` may mark entries (e.g. wrap one in
/// \boxed{}), it gets the row, the column and the printed number.
std::string pmatrix(const arma::mat& m);
std::string pmatrix(const arma::mat& m,
                    const std::function<std::string(arma::uword, arma::uword, const std::string&)>& cell);
/// TeX: plane (n, c) of t as a pmatrix.
std::string pmatrix(const Tensor4& t, arma::uword n = 0, arma::uword c = 0);
/// TeX: a vector as one row, \begin{pmatrix} a & b \end{pmatrix}.
std::string prow(const arma::vec& v);

/// Inline math, \f$tex\f$.
std::string math(const std::string& tex);
/// A displayed formula on its own lines, \f[ tex \f], followed by an empty line.
std::string display(const std::string& tex);
/// Bold text for the start of a paragraph (HTML <b>, which Doxygen keeps inside any Markdown).
std::string bold(const std::string& text);
/// A Markdown table: the header row, then the rows; cells may hold inline math. Ends with an empty line.
std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
/// A code block (~~~) holding text verbatim (a program's output). Ends with an empty line.
std::string code(const std::string& text);
/// A tensor as the library prints it (operator<<), labelled: "dx = Tensor4 (1,1,2,3)" and its planes.
std::string tensor_text(const std::string& name, const Tensor4& t);
/// A vector printed in the same style: "db = (2)" and its entries on one line.
std::string vector_text(const std::string& name, const arma::vec& v);

/// max |a - b| over all elements (the shapes must agree).
double max_abs_diff(const Tensor4& a, const Tensor4& b);
double max_abs_diff(const arma::mat& a, const arma::mat& b);  ///< matrices, and vectors (an arma::vec is a matrix)

}  // namespace cnnbp::cli::fmt
