import re, ast
def coeffs(fname, key):
    for line in open(fname):
        if line.startswith(key + ' ') or line.startswith(key+'['):
            return ast.literal_eval(line[len(key):].strip())
    raise KeyError(key)
polys = {}
polys0 = {
 'EM1F': ['0.5', '0.1666666567325592', '0.04166634753346443', '0.008333392441272736', '0.0013941816287115216', '0.00019845974748022854'],
 'EM1D': ['0.50000000000000000097', '0.16666666666666677693', '0.041666666666666489738', '0.0083333333333205817789', '0.0013888888888969379627', '0.00019841269889125598829', '0.000024801587163413388963', '2.7557240885882380654e-6', '2.7557406529105241666e-7', '2.5110289602940135143e-8', '2.0875298061409893779e-9'],
 'LOGF': coeffs('log.txt', 'log_deg2'),
 'LOGD': coeffs('log.txt', 'log_deg6'),
 'TANHF': coeffs('tanh.txt', 'tanh_T0.55000000000000004440892098500626_deg5'),
 'TANHD': coeffs('tanh.txt', 'tanh_T0.55000000000000004440892098500626_deg10'),
 'ERFSF': coeffs('erfs.txt', 'erfsmall_B0.9_deg7'),
 'ERFSD': coeffs('erfs.txt', 'erfsmall_B0.9_deg12'),
 'ERFCF': coeffs('erfc_f10.txt', 'erfc_0.9_4.0_c2.45_deg10'),
 'ERFCD': coeffs('erfc_d22.txt', 'erfc_0.9_5.95_c3.4_deg22'),
}
polys.update(polys0)
polys['ERFSF'] = ['0.12837916709551257'] + polys['ERFSF'][1:]
polys['ERFSD'] = ['0.1283791670955125739'] + polys['ERFSD'][1:]
def horner(name, var, out, ty, indent='        '):
    c = polys[name]
    lines = [f"{indent}var {out} = SIMD{16 if ty=='Float' else 8}<{ty}>(repeating: {c[-1]})"]
    for ci in reversed(c[:-1]):
        lines.append(f"{indent}{out} = {out} * {var} + {ci}")
    return "\n".join(lines)
src = open('template.swift').read()
erfbig = """        let axc = ax.replacing(with: 5.95, where: ax .> 5.95)
        let t = axc - 3.4
{{POLY:ERFCD:t:q:Double}}
        let big = 1 - exp(-(axc * axc)) * q"""
src = src.replace('{{ERFBIGD}}', erfbig).replace('{{ERFB}}', '0.9').replace('{{ERFQD}}', 'degree 22 on [0.9, 5.95]')
src = re.sub(r'\{\{POLY:(\w+):(\w+):(\w+):(\w+)\}\}', lambda m: horner(*m.groups()), src)
import json, os
ulps = json.load(open('ulps.json')) if os.path.exists('ulps.json') else {}
src = re.sub(r'\{\{ULP:(\w+):(\w)\}\}', lambda m: ulps.get(m.group(1)+m.group(2), '≤ ?'), src)
open('../Sources/VMath/VectorMath.swift', 'w').write(src)
