# Weighted minimax polynomial fitting (Lawson's iteratively reweighted least squares),
# evaluated in high precision with mpmath. Own code.
import mpmath as mp, sys
mp.mp.dps = 32

def lawson(target, weight, a, b, deg, tmap=lambda x: x, npts=300, iters=40):
    # points: Chebyshev distribution on [a,b]
    xs = [ (a+b)/2 + (b-a)/2*mp.cos(mp.pi*(2*i+1)/(2*npts)) for i in range(npts)] + [mp.mpf(a), mp.mpf(b)]
    fs = [target(x) for x in xs]
    ws = [weight(x) for x in xs]
    ts = [tmap(x) for x in xs]
    n = deg+1
    lw = [mp.mpf(1)/len(xs)]*len(xs)
    best = None
    for it in range(iters):
        # weighted normal equations: minimize sum lw*(w*(f - p))^2
        A = mp.matrix(n, n); rhs = mp.matrix(n, 1)
        for x, f, w, t, l in zip(xs, fs, ws, ts, lw):
            pw = [t**j for j in range(n)]
            ww = l*w*w
            for i in range(n):
                rhs[i] += ww*pw[i]*f
                for j in range(i, n):
                    A[i, j] += ww*pw[i]*pw[j]
        for i in range(n):
            for j in range(i):
                A[i, j] = A[j, i]
        c = mp.lu_solve(A, rhs)
        errs = [abs(w*(f - mp.polyval(list(reversed(list(c))), t))) for f, w, t in zip(fs, ws, ts)]
        m = max(errs)
        if best is None or m < best[0]:
            best = (m, [c[i] for i in range(n)])
        s = sum(l*e for l, e in zip(lw, errs))
        lw = [l*e/s for l, e in zip(lw, errs)]
    return best
