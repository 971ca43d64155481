/// Why a data file could not be read. Line numbers count from 1 and include the header line;
/// every description is one line.
public enum DataError: Error, Equatable, CustomStringConvertible {
    /// No file at `path`.
    case fileNotFound(path: String)
    /// The file exists but could not be read (a directory, a named pipe or a device: not a
    /// regular file).
    case unreadable(path: String, reason: String)
    /// The file has no data rows (it is empty, or holds only a header).
    case empty(path: String)
    /// A row has `found` comma-separated fields where the header (or first row) has `expected`.
    case wrongFieldCount(path: String, line: Int, found: Int, expected: Int)
    /// A feature field is not a finite number.
    case notANumber(path: String, line: Int, column: Int, field: String)
    /// A feature field is a finite number that is not finite once scaled and stored in the
    /// data set's scalar type (1e300 as a Float).
    case outOfRange(path: String, line: Int, column: Int, field: String, scalarType: String, scale: Double)
    /// The file's rows have `fieldCount` fields, so the label column asked for is not there.
    case noLabelColumn(path: String, labelColumn: Int, fieldCount: Int)
    /// The label field is not an integer, or is outside `0..<classCount`.
    case badLabel(path: String, line: Int, field: String, reason: String)
    /// An IDX file (MNIST's format) whose header or size is wrong, or whose values cannot be
    /// used (the reason says which).
    case badIDX(path: String, reason: String)

    /// One line: control characters in names, paths and values are escaped, and the length is
    /// capped (see `oneLine`).
    public var description: String { oneLine(rawDescription) }

    private var rawDescription: String {
        switch self {
        case .fileNotFound(let path):
            return "data: no file at \(path)"
        case let .unreadable(path, reason):
            return "data: cannot read \(path): \(reason)"
        case .empty(let path):
            return "data: \(path) has no data rows"
        case let .wrongFieldCount(path, line, found, expected):
            return "data: \(path), line \(line): \(found) fields, expected \(expected)"
        case let .notANumber(path, line, column, field):
            return "data: \(path), line \(line), column \(column): '\(field.prefix(40))' is not a finite number"
        case let .outOfRange(path, line, column, field, type, scale):
            let scaled = scale == 1 ? "" : " scaled by \(scale)"
            return "data: \(path), line \(line), column \(column): '\(field.prefix(40))'\(scaled) is outside \(type)'s range (it would be stored as infinity)"
        case let .noLabelColumn(path, column, count):
            return "data: \(path): labelColumn \(column) is past the last column (rows have \(count) field\(count == 1 ? "" : "s"), columns 0...\(count - 1))"
        case let .badLabel(path, line, field, reason):
            return "data: \(path), line \(line): label '\(field.prefix(40))' \(reason)"
        case let .badIDX(path, reason):
            return "data: \(path): not a usable IDX file: \(reason)"
        }
    }
}
