from fit import *
import struct
def f32(v): return struct.unpack('f', struct.pack('f', float(v)))[0]
def show(name, res, single):
    m, c = res
    print(f"# {name}: max weighted err {mp.nstr(m,5)}")
    if single:
        print(name, [repr(f32(x)) for x in c])
    else:
        print(name, [mp.nstr(x, 20) for x in c])
    sys.stdout.flush()

which = sys.argv[1]
L2H = mp.log(2)/2 + mp.mpf('0.004')
if which == 'em1':
    # expm1(r) = r + r^2 * P(r); relative error
    for deg, single in [(4, True), (5, True), (10, False), (11, False)]:
        tgt = lambda r: (mp.expm1(r) - r)/(r*r) if r != 0 else mp.mpf(1)/2
        wt = lambda r: (r*r/mp.expm1(r)) if r != 0 else mp.mpf(0)
        show(f"em1_deg{deg}", lawson(tgt, wt, -L2H, L2H, deg), single)
if which == 'log':
    zmax = ((mp.sqrt(2)-1)/(mp.sqrt(2)+1))**2 * mp.mpf('1.0001')
    def tgt(z):
        if z == 0: return mp.mpf(2)/3
        s = mp.sqrt(z); return (2*mp.atanh(s) - 2*s)/(s*z)
    for deg, single in [(2, True), (3, True), (6, False), (7, False)]:
        show(f"log_deg{deg}", lawson(tgt, lambda z: z, 0, zmax, deg), single)
if which == 'tanh':
    for T, deg, single in [(0.55, 5, True), (0.55, 6, True), (0.55, 10, False), (0.55, 11, False)]:
        T = mp.mpf(T); zmax = T*T
        def tgt(z):
            if z == 0: return mp.mpf(-1)/3
            x = mp.sqrt(z); return (mp.tanh(x) - x)/(x**3)
        def wt(z):
            if z == 0: return mp.mpf(0)
            x = mp.sqrt(z); return x**3/mp.tanh(x)
        show(f"tanh_T{T}_deg{deg}", lawson(tgt, wt, 0, zmax, deg), single)
if which == 'erfs':
    B = mp.mpf(sys.argv[2])
    for deg, single in [(int(sys.argv[3]), True), (int(sys.argv[4]), False)]:
        def tgt(z):
            if z == 0: return 2/mp.sqrt(mp.pi)
            x = mp.sqrt(z); return mp.erf(x)/x
        show(f"erfsmall_B{B}_deg{deg}", lawson(tgt, lambda z: 1/tgt(z), 0, B*B, deg), single)
if which == 'erfc':
    a = mp.mpf(sys.argv[2]); b = mp.mpf(sys.argv[3]); c = mp.mpf(sys.argv[4]); deg = int(sys.argv[5]); single = sys.argv[6] == 'f'
    tgt = lambda x: mp.erfc(x)*mp.exp(x*x)
    wt = lambda x: mp.exp(-x*x)
    show(f"erfc_{a}_{b}_c{c}_deg{deg}", lawson(tgt, wt, a, b, deg, tmap=lambda x: x - c, npts=300, iters=40), single)
