package main

import (
	"reflect"
	"testing"
)

// TestUnitRowCoversRow checks that the unit file keeps every field of a row: a row with
// every field set survives toUnit/fromUnit unchanged. A field added to row but not to
// unitRow comes back as its zero value and fails the comparison.
func TestUnitRowCoversRow(t *testing.T) {
	var r row
	v := reflect.ValueOf(&r).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		f = reflect.NewAt(f.Type(), f.Addr().UnsafePointer()).Elem()
		switch f.Kind() {
		case reflect.Int:
			f.SetInt(int64(i + 1))
		case reflect.Float64:
			f.SetFloat(float64(i) + 0.5)
		case reflect.Slice:
			f.Set(reflect.ValueOf([]float64{float64(i), 1}))
		default:
			t.Fatalf("row field %s has kind %v; extend this test", v.Type().Field(i).Name, f.Kind())
		}
	}
	if got := fromUnit(toUnit(r)); !reflect.DeepEqual(got, r) {
		t.Fatalf("row did not survive the unit file:\n got %+v\nwant %+v", got, r)
	}
}
