// Package sweep runs the unit lists of sdeml's study examples so that a sweep can be split
// across machines, interrupted and resumed.
//
// A sweep is a Plan: an identifier of its configuration and a list of units with stable,
// unique keys (for example "SGD/rho=0.1/seed=2"). Run computes the units assigned to this
// process and stores each result, as soon as it is known, in its own small file
// DIR/units/<key>.json, written atomically (internal/atomicfile); the caller then builds its
// tables and plots from the returned values in unit order.
//
//   - Sharding (-shard i/n): unit k belongs to shard k mod n, for k = 0, 1, … in plan order,
//     so the n shards partition the units and every process computes the same assignment.
//   - Merging (-merge DIR,…): no unit is computed; every unit is read from the units/ folder
//     of one of the given directories (a unit found in two must have the same result) and
//     copied into this run's folder. Because a unit's result is a pure function of its key
//     and the configuration, the merged values — hence the tables, CSV and PNG built from
//     them — are the same bytes as an unsharded run's. Wall times live apart, in
//     DIR/timings.csv, which is the one output that differs between runs.
//   - Resuming (-resume): units whose file exists are loaded, not recomputed. A file that does
//     not decode, names another key or another configuration (Plan.ID) is an error naming the
//     file; it is never silently recomputed or trusted.
//   - Interruption: Run takes a context (see NotifyContext for SIGINT/SIGTERM). Once it is
//     cancelled no new unit starts; units already running finish and are stored, or, if they
//     are long, stop early: a unit that returns an error wrapping ErrInterrupted (or
//     ctx.Err()) after the cancellation is left not done, not failed, and keeps its own
//     mid-unit checkpoint, from which it continues on -resume. The caller
//     writes its outputs from what exists (Result.Complete is false, and DIR/PARTIAL lists the
//     missing keys) and exits non-zero with Result.Err.
//
// Unit files are JSON: {"format":"sdeml-sweep-unit/1","sweep":ID,"key":KEY,"seconds":S,
// "result":R}. encoding/json cannot represent NaN or ±Inf, so result fields that may be
// non-finite use the Float type, which writes them as the strings "NaN", "+Inf", "-Inf" and
// finite values in the shortest form that round-trips exactly.
package sweep
