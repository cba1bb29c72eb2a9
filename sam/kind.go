package sam

// kinder is implemented by this package's optimizers and updaters: kind names the layout
// of their MarshalState (e.g. "SAM(SGD)"), which a checkpoint records so that resuming
// with a different optimizer is refused by name instead of misreading the state. A type
// that embeds one of them inherits its kind; any other type has kind "" (unknown, so not
// checked), since a wrapper may forward another optimizer's state.
type kinder interface {
	kind() string
}

func (*SGD) kind() string     { return "SGD" }
func (*Adam) kind() string    { return "Adam" }
func (s *SAM) kind() string   { return wrapKind("SAM", s.Base) }
func (s *NSAM) kind() string  { return wrapKind("NSAM", s.Base) }
func (r *RWSAM) kind() string { return wrapKind("RWSAM"+rwFormKinds[r.Form], r.Base) }

func (s *GSAM) kind() string        { return wrapKind("GSAM", s.Base) }
func (s *WSAM) kind() string        { return wrapKind("WSAM", s.Base) }
func (s *ESAM) kind() string        { return wrapKind("ESAM", s.Base) }
func (s *LookSAM) kind() string     { return wrapKind("LookSAM", s.Base) }
func (s *FriendlySAM) kind() string { return wrapKind("FriendlySAM", s.Base) }
func (s *IntervalSAM) kind() string { return wrapKind("IntervalSAM", s.Base) }

// rwFormKinds tells RW-SAM's forms apart in a kind (their states differ); the zero value's
// kind stays "RWSAM(base)".
var rwFormKinds = map[RWForm]string{VirtualMicro: "", GibbsAscent: "[GibbsAscent]", Corrections: "[Corrections]"}

// wrapKind returns "name(base kind)", or "" if the base's kind is unknown.
func wrapKind(name string, base Updater) string {
	b := kindOf(base)
	if b == "" {
		return ""
	}
	return name + "(" + b + ")"
}

// kindOf returns v's kind, or "" for types outside this package.
func kindOf(v any) string {
	if k, ok := v.(kinder); ok {
		return k.kind()
	}
	return ""
}
