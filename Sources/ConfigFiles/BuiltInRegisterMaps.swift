import Modbus

extension RegisterMap {
    /// The PAC3200 map every executable carries, so that `gatewayctl meter read` works from any directory and a
    /// copied binary needs no data files. It is `Config/pac3200.yaml` byte for byte (a test holds them equal;
    /// `Scripts/embed-register-map.sh` writes this file anew after an edit); `--map FILE` overrides it.
    public static func builtInPAC3200() throws(RegisterMapError) -> RegisterMap {
        try RegisterMap(yaml: pac3200YAML)
    }

    /// The text of `Config/pac3200.yaml`; `gatewayctl meter map` prints it as a starting point for another map.
    public static let pac3200YAML = #"""
# Siemens SENTRON PAC3200, Modbus TCP (REFERENCE §1; manual A5E01168664B-04 §3.9, table 3-6).
#
# Addresses are PDU addresses (what goes on the wire; the manual's 40001-style number minus 40001).
# Measured values are float32 and energy counters float64, both big-endian with the high word first.
# A value outside min..max, or NaN (an unconnected phase), is kept and marked invalid.
#
# OBIS codes (IEC 62056-6-1, A=1 electricity, D=7 instantaneous, D=8 cumulative, E=tariff):
# standard codes where one exists. Quantities with no standard code use the manufacturer-specific
# range C=128..199: 1.0.142-144 line-to-line voltages, 1.0.151/171/191/131 signed reactive power,
# 1.0.139-141 averages, 1.0.145/146 unbalance. THD uses E=124 (the standard's THD code) for the
# meter's THD-R. Signed active power uses C=16/36/56/76 (import minus export).
meter: Siemens SENTRON PAC3200
function_code: 3
max_registers_per_request: 125
max_gap: 0

values:
  - { name: voltage L1-N,            address: 1,  type: float32, unit: V,   obis: 1.0.32.7.0.255,   min: 0,    max: 1000 }
  - { name: voltage L2-N,            address: 3,  type: float32, unit: V,   obis: 1.0.52.7.0.255,   min: 0,    max: 1000 }
  - { name: voltage L3-N,            address: 5,  type: float32, unit: V,   obis: 1.0.72.7.0.255,   min: 0,    max: 1000 }
  - { name: voltage L1-L2,           address: 7,  type: float32, unit: V,   obis: 1.0.142.7.0.255,  min: 0,    max: 1732 }
  - { name: voltage L2-L3,           address: 9,  type: float32, unit: V,   obis: 1.0.143.7.0.255,  min: 0,    max: 1732 }
  - { name: voltage L3-L1,           address: 11, type: float32, unit: V,   obis: 1.0.144.7.0.255,  min: 0,    max: 1732 }
  - { name: current L1,              address: 13, type: float32, unit: A,   obis: 1.0.31.7.0.255,   min: 0,    max: 10000 }
  - { name: current L2,              address: 15, type: float32, unit: A,   obis: 1.0.51.7.0.255,   min: 0,    max: 10000 }
  - { name: current L3,              address: 17, type: float32, unit: A,   obis: 1.0.71.7.0.255,   min: 0,    max: 10000 }
  - { name: apparent power L1,       address: 19, type: float32, unit: VA,  obis: 1.0.29.7.0.255,   min: 0,    max: 1.0e7 }
  - { name: apparent power L2,       address: 21, type: float32, unit: VA,  obis: 1.0.49.7.0.255,   min: 0,    max: 1.0e7 }
  - { name: apparent power L3,       address: 23, type: float32, unit: VA,  obis: 1.0.69.7.0.255,   min: 0,    max: 1.0e7 }
  - { name: active power L1,         address: 25, type: float32, unit: W,   obis: 1.0.36.7.0.255,   min: -1.0e7, max: 1.0e7 }
  - { name: active power L2,         address: 27, type: float32, unit: W,   obis: 1.0.56.7.0.255,   min: -1.0e7, max: 1.0e7 }
  - { name: active power L3,         address: 29, type: float32, unit: W,   obis: 1.0.76.7.0.255,   min: -1.0e7, max: 1.0e7 }
  - { name: reactive power L1,       address: 31, type: float32, unit: var, obis: 1.0.151.7.0.255,  min: -1.0e7, max: 1.0e7 }
  - { name: reactive power L2,       address: 33, type: float32, unit: var, obis: 1.0.171.7.0.255,  min: -1.0e7, max: 1.0e7 }
  - { name: reactive power L3,       address: 35, type: float32, unit: var, obis: 1.0.191.7.0.255,  min: -1.0e7, max: 1.0e7 }
  - { name: power factor L1,         address: 37, type: float32, unit: "",  obis: 1.0.33.7.0.255,   min: -1,   max: 1 }
  - { name: power factor L2,         address: 39, type: float32, unit: "",  obis: 1.0.53.7.0.255,   min: -1,   max: 1 }
  - { name: power factor L3,         address: 41, type: float32, unit: "",  obis: 1.0.73.7.0.255,   min: -1,   max: 1 }
  - { name: THD-R voltage L1,        address: 43, type: float32, unit: "%", obis: 1.0.32.7.124.255, min: 0,    max: 100 }
  - { name: THD-R voltage L2,        address: 45, type: float32, unit: "%", obis: 1.0.52.7.124.255, min: 0,    max: 100 }
  - { name: THD-R voltage L3,        address: 47, type: float32, unit: "%", obis: 1.0.72.7.124.255, min: 0,    max: 100 }
  - { name: THD-R current L1,        address: 49, type: float32, unit: "%", obis: 1.0.31.7.124.255, min: 0,    max: 100 }
  - { name: THD-R current L2,        address: 51, type: float32, unit: "%", obis: 1.0.51.7.124.255, min: 0,    max: 100 }
  - { name: THD-R current L3,        address: 53, type: float32, unit: "%", obis: 1.0.71.7.124.255, min: 0,    max: 100 }
  - { name: frequency,               address: 55, type: float32, unit: Hz,  obis: 1.0.14.7.0.255,   min: 45,   max: 65 }
  - { name: average voltage L-N,     address: 57, type: float32, unit: V,   obis: 1.0.140.7.0.255,  min: 0,    max: 1000 }
  - { name: average voltage L-L,     address: 59, type: float32, unit: V,   obis: 1.0.141.7.0.255,  min: 0,    max: 1732 }
  - { name: average current,         address: 61, type: float32, unit: A,   obis: 1.0.139.7.0.255,  min: 0,    max: 10000 }
  - { name: total apparent power,    address: 63, type: float32, unit: VA,  obis: 1.0.9.7.0.255,    min: 0,    max: 3.0e7 }
  - { name: total active power,      address: 65, type: float32, unit: W,   obis: 1.0.16.7.0.255,   min: -3.0e7, max: 3.0e7 }
  - { name: total reactive power,    address: 67, type: float32, unit: var, obis: 1.0.131.7.0.255,  min: -3.0e7, max: 3.0e7 }
  - { name: total power factor,      address: 69, type: float32, unit: "",  obis: 1.0.13.7.0.255,   min: -1,   max: 1 }
  - { name: unbalance voltage,       address: 71, type: float32, unit: "%", obis: 1.0.145.7.0.255,  min: 0,    max: 100 }
  - { name: unbalance current,       address: 73, type: float32, unit: "%", obis: 1.0.146.7.0.255,  min: 0,    max: 100 }

# Energy counters overflow at 1.0e12 (REFERENCE §1).
counters:
  - { name: active energy import T1,   address: 801, type: float64, unit: Wh,   obis: 1.0.1.8.1.255, min: 0, max: 1.0e12 }
  - { name: active energy import T2,   address: 805, type: float64, unit: Wh,   obis: 1.0.1.8.2.255, min: 0, max: 1.0e12 }
  - { name: active energy export T1,   address: 809, type: float64, unit: Wh,   obis: 1.0.2.8.1.255, min: 0, max: 1.0e12 }
  - { name: active energy export T2,   address: 813, type: float64, unit: Wh,   obis: 1.0.2.8.2.255, min: 0, max: 1.0e12 }
  - { name: reactive energy import T1, address: 817, type: float64, unit: varh, obis: 1.0.3.8.1.255, min: 0, max: 1.0e12 }
  - { name: reactive energy import T2, address: 821, type: float64, unit: varh, obis: 1.0.3.8.2.255, min: 0, max: 1.0e12 }
  - { name: reactive energy export T1, address: 825, type: float64, unit: varh, obis: 1.0.4.8.1.255, min: 0, max: 1.0e12 }
  - { name: reactive energy export T2, address: 829, type: float64, unit: varh, obis: 1.0.4.8.2.255, min: 0, max: 1.0e12 }
  - { name: apparent energy T1,        address: 833, type: float64, unit: VAh,  obis: 1.0.9.8.1.255, min: 0, max: 1.0e12 }
  - { name: apparent energy T2,        address: 837, type: float64, unit: VAh,  obis: 1.0.9.8.2.255, min: 0, max: 1.0e12 }

# The gateway recognises these two by name.
status:
  - { name: limit violations, address: 203, type: uint32 }
  - { name: device status,    address: 205, type: uint32 }

"""#
}
