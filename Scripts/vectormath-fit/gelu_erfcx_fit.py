"""Fits for the Float GELU kernel (Sources/NN/Activations/GELU.swift, `GELUFloat`).

    /work/venv/bin/python Scripts/vectormath-fit/gelu_erfcx_fit.py

R(a) = erfc(a/sqrt2)*exp(a^2/2) on a in [0, 8.77] as a polynomial in t - c0, t = 1/(1 + a/4), and
H(a) = D(a)/(a - a0), D(a) = R(a)/2 - a/sqrt(2 pi), on [0.4, 1.2] in a - 0.8: weighted (relative)
Lawson iteration in float64 with each coefficient rounded to float32 in turn and the rest refitted.
Own code; needs numpy and mpmath.
"""
import numpy as np, mpmath as mp, sys
mp.mp.dps = 30
def erfcx_half(a):  # erfc(a/sqrt2)*exp(a^2/2)
    a = mp.mpf(a); return mp.erfc(a/mp.sqrt(2))*mp.exp(a*a/2)
def fit(p, deg, amax=8.77, npts=2000, iters=60):
    tmin = 1/(1+p*amax)
    # Chebyshev points in t
    k = np.arange(npts)
    t = (1+tmin)/2 + (1-tmin)/2*np.cos(np.pi*(2*k+1)/(2*npts))
    t = np.concatenate([t,[tmin,1.0]])
    a = (1/t - 1)/p
    f = np.array([float(erfcx_half(x)) for x in a])
    c0 = (1+tmin)/2
    s = t - c0
    V = np.vander(s, deg+1, increasing=True)
    w = np.ones_like(t)/len(t)
    best=None
    for it in range(iters):
        sw = np.sqrt(w)/f
        c,*_ = np.linalg.lstsq(V*sw[:,None], f*sw, rcond=None)
        # evaluate in float32 Horner
        e = np.abs((V@c - f)/f)
        m = e.max()
        if best is None or m < best[0]: best=(m,c)
        w = w*e; w/=w.sum()
    return best, c0
import numpy as np, mpmath as mp
def lawson_fixed(V, f, fixed, iters=50):
    # fixed: list of already-fixed float32 coeffs for the first len(fixed) powers
    k = len(fixed); r = f - V[:, :k] @ np.array(fixed, dtype=np.float64) if k else f.copy()
    W = V[:, k:]; w = np.ones_like(f); best=None
    for it in range(iters):
        sw = np.sqrt(w)/np.abs(f); c,*_ = np.linalg.lstsq(W*sw[:,None], r*sw, rcond=None)
        e = np.abs((W@c - r)/f)
        if best is None or e.max() < best[0]: best = (e.max(), c)
        w = w*e; w /= w.sum()
    return best
def seqfit(xs, f, deg):
    V = np.vander(xs, deg+1, increasing=True); fixed=[]
    for k in range(deg+1):
        m, c = lawson_fixed(V, f, fixed)
        fixed.append(float(np.float32(c[0])))
    return m, fixed
p=0.25; amax=8.77; tmin=1/(1+p*amax); c0=float(np.float32((1+tmin)/2))
k=np.arange(1500); t=(1+tmin)/2+(1-tmin)/2*np.cos(np.pi*(2*k+1)/3000); t=np.concatenate([t,[tmin,1.0]])
a=(1/t-1)/p; f=np.array([float(erfcx_half(x)) for x in a])
m, R = seqfit(t-c0, f, 9); print("R", c0, m, R)
mp.mp.dps=40
D = lambda a: erfcx_half(a)/2 - a/mp.sqrt(2*mp.pi)
a0 = mp.findroot(D, 0.75)
A,B=0.4,1.2; k=np.arange(800); xs=(A+B)/2+(B-A)/2*np.cos(np.pi*(2*k+1)/1600); xs=np.concatenate([xs,[A,B]])
H=np.array([float(D(x)/(x-a0)) for x in xs])
m, Hc = seqfit(xs-0.8, H, 8); print("H", m, Hc)
