package diff

import (
	"math"
	"time"

	"golang.org/x/perf/benchmath"
)

// LatencyOptions say when a slowdown is a regression. The zero value
// means the defaults: 20 %, 25 ms, 5 rounds, alpha 0.05.
type LatencyOptions struct {
	// Relative is the smallest slowdown, as a fraction of OLD's median,
	// that can be flagged. Default 0.20.
	Relative float64
	// Absolute is the smallest slowdown, in time, that can be flagged.
	// Default 25 ms. A slowdown must exceed both thresholds.
	Absolute time.Duration
	// MinRounds is the number of rounds below which latency is not
	// compared: a test on fewer samples cannot be trusted. Default 5.
	MinRounds int
	// Alpha is the significance level of the Mann-Whitney U test.
	// Default 0.05.
	Alpha float64
	// Disabled turns latency comparison off.
	Disabled bool
}

func (o LatencyOptions) withDefaults() LatencyOptions {
	if o.Relative <= 0 {
		o.Relative = 0.20
	}
	if o.Absolute <= 0 {
		o.Absolute = 25 * time.Millisecond
	}
	if o.MinRounds <= 0 {
		o.MinRounds = 5
	}
	if o.Alpha <= 0 || o.Alpha >= 1 {
		o.Alpha = 0.05
	}
	return o
}

// compareLatency summarises the durations of each side (in the order they
// were measured) and tests whether NEW is significantly slower. The first
// sample of each side is a warm-up (connection set-up, cold caches) and is
// discarded. Medians are compared, with the non-parametric Mann-Whitney U
// test from golang.org/x/perf/benchmath: response times are skewed and a
// mean comparison cries wolf on one slow outlier.
func compareLatency(oldD, newD []time.Duration, o LatencyOptions) *Latency {
	if len(oldD) == 0 || len(newD) == 0 {
		return nil
	}
	if len(oldD) > 1 {
		oldD = oldD[1:]
	}
	if len(newD) > 1 {
		newD = newD[1:]
	}
	th := benchmath.DefaultThresholds
	th.CompareAlpha = o.Alpha
	so, sn := benchmath.NewSample(millis(oldD), &th), benchmath.NewSample(millis(newD), &th)
	l := &Latency{OldSamples: len(oldD), NewSamples: len(newD)}
	sumO := benchmath.AssumeNothing.Summary(so, 0.95)
	sumN := benchmath.AssumeNothing.Summary(sn, 0.95)
	l.OldMS, l.OldLowMS, l.OldHighMS = round3(sumO.Center), round3(sumO.Lo), round3(sumO.Hi)
	l.NewMS, l.NewLowMS, l.NewHighMS = round3(sumN.Center), round3(sumN.Lo), round3(sumN.Hi)
	minSamples := 2*o.MinRounds - 1
	if len(oldD) < minSamples || len(newD) < minSamples {
		return l
	}
	l.Compared = true
	cmp := benchmath.AssumeNothing.Compare(so, sn)
	l.P = cmp.P
	delta := sumN.Center - sumO.Center
	absMS := float64(o.Absolute) / float64(time.Millisecond)
	l.Significant = cmp.P < cmp.Alpha &&
		math.Abs(delta) > absMS &&
		math.Abs(delta) > o.Relative*math.Min(sumO.Center, sumN.Center)
	l.Slower = l.Significant && delta > 0
	return l
}

func millis(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = float64(d) / float64(time.Millisecond)
	}
	return out
}

func round3(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return math.Round(f*1000) / 1000
}
