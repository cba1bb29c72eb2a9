package sam

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// NaN anywhere in a configuration is an error that names the field and the value: for
// every optimizer of the package (SAM, n-SAM, the three RW-SAM forms and the variants) and
// the two base updaters, each exported float64 field in turn is set to NaN, and Step must
// fail with "<Field> = NaN" in the message, leaving w unchanged. The fields are found by
// reflection, so a field added later is covered without editing this test.
func TestNaNFieldsNamed(t *testing.T) {
	obj, w0 := smallTask(12, 8, 3)
	sgd := func() Updater { return &SGD{LR: 0.01} }
	opts := []struct {
		name string
		opt  func() Optimizer
	}{
		{"SAM", func() Optimizer { return &SAM{Base: sgd(), Rho: 0.1} }},
		{"m-SAM", func() Optimizer { return &SAM{Base: sgd(), Rho: 0.1, Micro: 2} }},
		{"NSAM", func() Optimizer { return &NSAM{Base: sgd(), Rho: 0.1} }},
		{"RWSAM", func() Optimizer { return &RWSAM{Base: sgd(), Rho: 0.1} }},
		{"RWSAM Gibbs", func() Optimizer { return &RWSAM{Form: GibbsAscent, Base: sgd(), Rho: 0.1} }},
		{"RWSAM Corrections", func() Optimizer { return &RWSAM{Form: Corrections, Unit: 1, Base: sgd(), Rho: 0.1} }},
		{"SGD base", func() Optimizer { return &SAM{Base: &SGD{LR: 0.01}, Rho: 0.1} }},
		{"Adam base", func() Optimizer { return &SAM{Base: &Adam{LR: 0.01}, Rho: 0.1} }},
	}
	opts = append(opts, variants(sgd)...)
	for _, c := range opts {
		probe := c.opt()
		target := reflect.ValueOf(probe).Elem()
		baseField := strings.HasSuffix(c.name, "base")
		if baseField {
			target = reflect.ValueOf(target.FieldByName("Base").Interface()).Elem()
		}
		for i := range target.NumField() {
			f := target.Type().Field(i)
			if !f.IsExported() || f.Type.Kind() != reflect.Float64 {
				continue
			}
			opt := c.opt()
			v := reflect.ValueOf(opt).Elem()
			if baseField {
				v = reflect.ValueOf(v.FieldByName("Base").Interface()).Elem()
			}
			v.Field(i).SetFloat(math.NaN())
			w := append([]float64(nil), w0...)
			_, err := opt.Step(w, obj, seq(8))
			if want := f.Name + " = NaN"; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s.%s = NaN: err = %v, want it to mention %q", c.name, f.Name, err, want)
			}
			if !bitsEqual(w, w0) {
				t.Errorf("%s.%s = NaN: w changed", c.name, f.Name)
			}
		}
	}
}
