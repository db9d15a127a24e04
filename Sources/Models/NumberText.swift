/// The shortest text of a setting's value, for run names and captions: whole numbers without a
/// decimal point ("4", not "4.0"), others as Swift prints them ("0.1", "1e+20"). One owner, so a
/// run's name and its report spell β the same way; values past ±1e15 are never turned into an
/// Int (which would overflow).
public func compactNumber(_ value: Double) -> String {
    if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return String(value)
}
