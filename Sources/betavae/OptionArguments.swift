import ArgumentParser

/// A parsed set of options written back as command-line arguments, read from its own properties
/// (Mirror over the `@Option` and `@Flag` wrappers) so that an option added to `TrainOptions` later
/// is covered without a list to keep up to date. `sweep --vary KEY=…` uses it to vary any train
/// option by its name: the sweep's options as arguments, with KEY's value replaced, parsed again
/// (which also validates the new value exactly as `train` would).
struct OptionArguments: Equatable {
    /// One option as given on the command line: `--name value`, or a flag `--name` (value "true") or
    /// left out (value "false"), or an optional option left out (value nil).
    struct Setting: Equatable {
        var name: String
        var isFlag: Bool
        var value: String?
    }

    var settings: [Setting]

    /// The settings of `options`, in declaration order.
    init<Options: ParsableArguments>(_ options: Options) {
        settings = Mirror(reflecting: options).children.flatMap { child -> [Setting] in
            // An @OptionGroup's options are the command's own (train's objective options live in one).
            if let group = child.value as? NestedOptions { return group.nestedSettings }
            guard let label = child.label, label.hasPrefix("_"), let wrapper = child.value as? ArgumentTextConvertible else { return [] }
            return [Setting(name: Self.optionName(String(label.dropFirst())), isFlag: wrapper.isFlag, value: wrapper.argumentText)]
        }
    }

    /// The option names of `Options`, as the command line spells them (`capacityMax` → `capacity-max`).
    static func names<Options: ParsableArguments>(of type: Options.Type) throws -> [String] {
        OptionArguments(try type.parse([])).settings.map(\.name)
    }

    /// ArgumentParser's default name of a property: camelCase words joined by hyphens, lowercased.
    static func optionName(_ property: String) -> String {
        property.reduce(into: "") { name, character in
            if character.isUppercase { name += "-" + character.lowercased() } else { name.append(character) }
        }
    }

    func value(of name: String) -> String?? {
        settings.first { $0.name == name }.map(\.value)
    }

    /// A copy with option `name` set to `value` (a flag: "true" or "false").
    func replacing(_ name: String, with value: String) -> OptionArguments {
        var copy = self
        for index in copy.settings.indices where copy.settings[index].name == name { copy.settings[index].value = value }
        return copy
    }

    /// The command line: `--name value` per option with a value, `--name` per flag that is set.
    var arguments: [String] {
        settings.flatMap { setting -> [String] in
            guard let value = setting.value else { return [] }
            if setting.isFlag { return value == "true" ? ["--" + setting.name] : [] }
            return ["--" + setting.name, value]
        }
    }
}

/// An `@OptionGroup`, whose options are read like the command's own.
protocol NestedOptions {
    var nestedSettings: [OptionArguments.Setting] { get }
}

extension OptionGroup: NestedOptions {
    var nestedSettings: [OptionArguments.Setting] { OptionArguments(wrappedValue).settings }
}

/// A property wrapper of ArgumentParser whose parsed value can be written back as an argument.
protocol ArgumentTextConvertible {
    var isFlag: Bool { get }
    /// The value as the command line gives it; nil for an optional option without a value.
    var argumentText: String? { get }
}

extension Option: ArgumentTextConvertible {
    var isFlag: Bool { false }
    var argumentText: String? { Self.text(wrappedValue) }

    /// `value` as an argument: ExpressibleByArgument's own description (the raw value of an enum,
    /// the shortest round-tripping digits of a number), unwrapping optionals.
    static func text(_ value: Any) -> String? {
        if let optional = value as? OptionalArgument { return optional.wrappedArgument.flatMap(text) }
        if let argument = value as? ExpressibleByArgument { return argument.defaultValueDescription }
        preconditionFailure("option value \(value) cannot be written as an argument")
    }
}

extension Flag: ArgumentTextConvertible {
    var isFlag: Bool { true }
    var argumentText: String? {
        guard let value = wrappedValue as? Bool else { preconditionFailure("only Bool flags can be written as arguments") }
        return value ? "true" : "false"
    }
}

/// Optional option values, unwrapped without knowing their type.
protocol OptionalArgument {
    var wrappedArgument: Any? { get }
}

extension Optional: OptionalArgument {
    var wrappedArgument: Any? { map { $0 as Any } }
}
