/// \file
/// The oracle, all of it: case files (\ref case_format "Case files"), evaluation, the judge with the bounds of \ref tolerances "Tolerances from the arithmetic",
/// the oracle's own gradient check, networks and the golden suite.
#pragma once

#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/oracle/evaluate.hpp"
#include "cnnbp/oracle/golden.hpp"
#include "cnnbp/oracle/gradcheck_case.hpp"
#include "cnnbp/oracle/judge.hpp"
#include "cnnbp/oracle/network.hpp"
