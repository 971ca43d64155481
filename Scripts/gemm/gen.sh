#!/bin/sh
# Regenerates Sources/Tensor/Gemm.swift: head.swift (API, blocking, threading) + f32.swift (the
# Float kernels) + the Double kernels derived from f32.swift by substitution. Edit these files,
# not Gemm.swift, and run this script.
cd "$(dirname "$0")/../.."
{
  cat Scripts/gemm/head.swift
  cat Scripts/gemm/f32.swift
  sed -e 's/F32/F64/g' -e 's/Float/Double/g' -e 's/SIMD16/SIMD8/g' Scripts/gemm/f32.swift
} > Sources/Tensor/Gemm.swift
