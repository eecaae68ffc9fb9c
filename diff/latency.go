package diff

import (
	"math"
	"slices"
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
	// MaxLag is the largest scheduling delay smoke itself may suffer
	// while a sample is taken (Sample.Lag) for its time to count: a
	// sample taken while the client was starved of CPU measures the
	// client, not the service, and is left out of the comparison (and
	// counted). Default: Absolute, the smallest slowdown that can be
	// flagged, since a delay that long could fake one on its own. On a
	// machine so busy that every sample waits, the bar rises to
	// lagOutlier times the operation's median lag (see starvedAbove).
	MaxLag time.Duration
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
	if o.MaxLag <= 0 {
		o.MaxLag = o.Absolute
	}
	return o
}

// lagOutlier is how far beyond the median lag of an operation's samples a
// sample's lag must be for it to count as starved when that median is
// high. A delay that every sample suffers inflates OLD and NEW alike,
// and the shuffled order of each round cancels it; a stall that hits a
// few samples only can fake a slowdown, and those are left out.
const lagOutlier = 3

// starvedAbove returns the lag beyond which a sample of an operation is
// starved: MaxLag, or lagOutlier times the median of lags when that is
// more.
func starvedAbove(lags []time.Duration, o LatencyOptions) time.Duration {
	if len(lags) == 0 {
		return o.MaxLag
	}
	sorted := slices.Clone(lags)
	slices.Sort(sorted)
	return max(o.MaxLag, lagOutlier*sorted[len(sorted)/2])
}

// minConfirmSamples is the number of unstarved samples per side a
// latency confirmation needs: a median of three already ignores one
// outlier.
const minConfirmSamples = 3

// compareLatency summarises the durations of each side (in the order they
// were measured) and tests whether NEW is significantly slower. The first
// sample of each side is a warm-up (connection set-up, cold caches) and is
// discarded, and so is every sample taken while the client was starved.
// Medians are compared, with the non-parametric Mann-Whitney U test from
// golang.org/x/perf/benchmath: response times are skewed and a mean
// comparison cries wolf on one slow outlier.
func compareLatency(oldT, newT []timing, o LatencyOptions) *Latency {
	if len(oldT) == 0 || len(newT) == 0 {
		return nil
	}
	if len(oldT) > 1 {
		oldT = oldT[1:]
	}
	if len(newT) > 1 {
		newT = newT[1:]
	}
	return testLatency(oldT, newT, 2*o.MinRounds-1, o)
}

// confirmLatency compares the samples of a confirmation: no warm-up (the
// connections are warm by then), at least minConfirmSamples per side.
// The slowdown holds when the medians differ beyond both thresholds
// again; its significance is tested on the pooled samples, which a
// handful of confirmation samples could not show on their own.
func confirmLatency(oldT, newT []timing, o LatencyOptions) *Latency {
	l := testLatency(oldT, newT, minConfirmSamples, o)
	l.Slower = l.Compared && l.NewMS-l.OldMS > beyond(l.OldMS, l.NewMS, o)
	return l
}

// beyond is the smallest difference of medians that can be flagged: more
// than both the absolute and the relative threshold.
func beyond(oldMS, newMS float64, o LatencyOptions) float64 {
	return math.Max(float64(o.Absolute)/float64(time.Millisecond), o.Relative*math.Min(oldMS, newMS))
}

// testLatency compares the unstarved samples of each side when each has
// at least minSamples of them.
func testLatency(oldT, newT []timing, minSamples int, o LatencyOptions) *Latency {
	oldMS, oldStarved := usableMillis(oldT)
	newMS, newStarved := usableMillis(newT)
	l := &Latency{OldSamples: len(oldMS), NewSamples: len(newMS), OldDiscarded: oldStarved, NewDiscarded: newStarved}
	if len(oldMS) == 0 || len(newMS) == 0 {
		return l
	}
	th := benchmath.DefaultThresholds
	th.CompareAlpha = o.Alpha
	so, sn := benchmath.NewSample(oldMS, &th), benchmath.NewSample(newMS, &th)
	sumO := benchmath.AssumeNothing.Summary(so, 0.95)
	sumN := benchmath.AssumeNothing.Summary(sn, 0.95)
	l.OldMS, l.OldLowMS, l.OldHighMS = round3(sumO.Center), round3(sumO.Lo), round3(sumO.Hi)
	l.NewMS, l.NewLowMS, l.NewHighMS = round3(sumN.Center), round3(sumN.Lo), round3(sumN.Hi)
	if len(oldMS) < minSamples || len(newMS) < minSamples {
		return l
	}
	l.Compared = true
	cmp := benchmath.AssumeNothing.Compare(so, sn)
	l.P = cmp.P
	delta := sumN.Center - sumO.Center
	l.Significant = cmp.P < cmp.Alpha && math.Abs(delta) > beyond(sumO.Center, sumN.Center, o)
	l.Slower = l.Significant && delta > 0
	return l
}

// usableMillis returns the durations of the samples not taken while the
// client was starved, in milliseconds, and how many were.
func usableMillis(ts []timing) (ms []float64, starved int) {
	ms = make([]float64, 0, len(ts))
	for _, t := range ts {
		if t.starved {
			starved++
			continue
		}
		ms = append(ms, float64(t.d)/float64(time.Millisecond))
	}
	return ms, starved
}

func round3(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return math.Round(f*1000) / 1000
}
