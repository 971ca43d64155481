import Foundation

// Saving and loading a module's parameters and buffers as a safetensors file. Names are the
// module's property paths ("layers.0.weight"), so a PyTorch model whose attributes have the
// same names reads and writes the same file. Float tensors are stored as F32, Double as F64.
//
// Loading converts only where the values cannot change: F16 and BF16 entries widen exactly into
// Float and Double parameters (HalfPrecision.swift). An F64 tensor for a Float parameter (or F32
// for Double, or any other dtype) is reported as a dtype mismatch; convert the file explicitly
// instead (in PyTorch: `{k: v.float() for k, v in state.items()}`).

extension Module {
    /// The module's tensors as a safetensors file in memory (see `save(to:metadata:)`).
    public final func checkpoint(metadata: [String: String] = [:], storage: CheckpointStorage = .native) throws(CheckpointError) -> SafeTensorsFile {
        var file = SafeTensorsFile(metadata: metadata)
        for (name, slot) in namedTensors() {
            let native = SafeTensorsDType.dtype(of: slot.scalarType)
            guard storage != .native else {
                try file.append(name, dtype: native, shape: slot.shape, bytes: slot.littleEndianBytes())
                continue
            }
            // Half precision on request: each value rounded (ties to even).
            let raw = slot.littleEndianBytes()
            var out: [UInt8] = []
            out.reserveCapacity(raw.count / native.byteSize * 2)
            for i in 0..<(raw.count / native.byteSize) {
                let value: Float
                if native == .float32 {
                    value = Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(raw[4 * i + $1]) << (8 * $1) })
                } else {
                    value = Float(Double(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(raw[8 * i + $1]) << (8 * $1) }))
                }
                let bits: UInt16
                if storage == .float16 {
                    guard let h = HalfPrecision.half(value) else {
                        throw .badTensor(name: name, reason: "value \(value) at element \(i) is outside F16's range (±65504); save it as BF16 or in full precision")
                    }
                    bits = h
                } else {
                    bits = HalfPrecision.bfloat16(value)
                }
                out.append(UInt8(bits & 0xFF))
                out.append(UInt8(bits >> 8))
            }
            try file.append(name, dtype: storage == .float16 ? .float16 : .bfloat16, shape: slot.shape, bytes: out)
        }
        return file
    }

    /// Saves every parameter and buffer to a safetensors file at `url`, with string `metadata`
    /// in the header's `__metadata__`.
    ///
    /// Atomic: the file is written beside `url` under a temporary name, synced, then renamed
    /// over `url`; if anything fails, `url` keeps its previous contents (or stays absent).
    /// - Throws: `CheckpointError.unwritable` (or `.duplicateName` if two tensors share a name).
    public final func save(to url: URL, metadata: [String: String] = [:], storage: CheckpointStorage = .native) throws(CheckpointError) {
        try checkpoint(metadata: metadata, storage: storage).write(to: url)
    }

    /// Loads every parameter and buffer from the safetensors file at `url`.
    ///
    /// Everything is checked before the model is touched: the file's structure (see
    /// `SafeTensorsFile.init(bytes:)`), then that the file has exactly the model's tensor names,
    /// with the model's shapes and dtypes (F32 for Float, F64 for Double; no conversion). All
    /// name, shape and dtype problems are reported together (missing, wrong-shape and
    /// wrong-dtype names in model order, unexpected names sorted) in one `CheckpointError.mismatch`.
    /// On any error the model is unchanged.
    /// - Returns: the file's metadata.
    @discardableResult
    public final func load(from url: URL) throws(CheckpointError) -> [String: String] {
        // The header is matched against the model before any data is read: a file for another
        // model (or a huge file) is refused after reading its header, and a file that matches
        // holds exactly the model's bytes.
        // (The entries the file is read with are the ones matched here.)
        var pairs: [(slot: any ModuleTensor, entry: SafeTensorsFile.Entry)] = []
        let file = try SafeTensorsFile(contentsOf: url) { (entries) throws(CheckpointError) in
            pairs = try self.matched(entries)
        }
        write(pairs, from: file)
        return file.metadata
    }

    /// Loads from a safetensors file already in memory; same checks as `load(from:)`.
    public final func load(_ file: SafeTensorsFile) throws(CheckpointError) {
        write(try matched(file.entries), from: file)
    }

    /// Everything fits: only now is the model changed.
    private func write(_ pairs: [(slot: any ModuleTensor, entry: SafeTensorsFile.Entry)], from file: SafeTensorsFile) {
        for (slot, entry) in pairs {
            let native = SafeTensorsDType.dtype(of: slot.scalarType)
            file.bytes(of: entry.name)!.withUnsafeBytes { raw in
                if entry.dtype == native {
                    slot.replaceValue(littleEndianBytes: raw)
                } else {
                    // F16 or BF16 into Float or Double: widened exactly.
                    HalfPrecision.widened(raw, from: entry.dtype, to: native).withUnsafeBytes { slot.replaceValue(littleEndianBytes: $0) }
                }
            }
        }
    }

    /// The model's tensors paired with the file's entries, or the mismatch error listing every
    /// problem (missing, wrong-shape and wrong-dtype names in model order, unexpected names
    /// sorted by their bytes).
    final func matched(_ entries: [SafeTensorsFile.Entry]) throws(CheckpointError) -> [(slot: any ModuleTensor, entry: SafeTensorsFile.Entry)] {
        // A training checkpoint's optimizer entries ("@optimizer.…") are not the model's.
        let entries = entries.filter { !$0.name.hasPrefix("@") }
        var byName: [ByteKey: SafeTensorsFile.Entry] = [:]
        for e in entries { byName[ByteKey(e.name)] = e }
        var missing: [String] = []
        var wrongShape: [CheckpointError.ShapeMismatch] = []
        var wrongDType: [CheckpointError.DTypeMismatch] = []
        var matched: [(slot: any ModuleTensor, entry: SafeTensorsFile.Entry)] = []
        var modelNames = Set<ByteKey>()  // byte for byte, as the file's names
        for (name, slot) in namedTensors() {
            modelNames.insert(ByteKey(name))
            guard let entry = byName[ByteKey(name)] else {
                missing.append(name)
                continue
            }
            let expected = SafeTensorsDType.dtype(of: slot.scalarType)
            var ok = true
            // F16 and BF16 widen exactly into Float and Double; any other difference is refused.
            if entry.dtype != expected && entry.dtype != .float16 && entry.dtype != .bfloat16 {
                wrongDType.append(.init(name: name, expected: expected, found: entry.dtype))
                ok = false
            }
            if entry.shape != slot.shape {
                wrongShape.append(.init(name: name, expected: slot.shape, found: entry.shape))
                ok = false
            }
            if ok { matched.append((slot, entry)) }
        }
        let unexpected = entries.map(\.name).filter { !modelNames.contains(ByteKey($0)) }.sorted { ByteKey($0) < ByteKey($1) }
        guard missing.isEmpty, unexpected.isEmpty, wrongShape.isEmpty, wrongDType.isEmpty else {
            throw .mismatch(missing: missing, unexpected: unexpected, wrongShape: wrongShape, wrongDType: wrongDType)
        }
        return matched
    }
}
