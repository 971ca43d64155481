import Synchronization

/// The header of a `TensorStorage`: where the elements are and how many writes they had.
public struct TensorStorageHeader<Scalar: TensorScalar> {
    @usableFromInline var base: UnsafeMutablePointer<Scalar>
    @usableFromInline let capacity: Int
    /// Whether `base` is a separate buffer (from `BufferCache`) rather than the object's tail.
    @usableFromInline let external: Bool
    @usableFromInline var version = 0
    /// Whether this storage was counted in `TensorRuntime.liveStorageCount`.
    @usableFromInline let counted: Bool
}

/// Live-object counting (see `TensorRuntime.countsLiveObjects`): the switch, and the number of
/// storages created while it was on that are still alive.
@usableFromInline let countingLiveObjects = Atomic<Bool>(false)
let liveStorages = Atomic<Int>(0)

extension TensorRuntime {
    /// Whether tensor storages (and Autograd's graph nodes) are counted, for leak checks such
    /// as `tapegrad longrun`. Off by default: counting costs a relaxed atomic add per
    /// allocation and per free; off, a relaxed load and a branch. An object is
    /// counted when it is created while this is on, and uncounted when that object is freed, so
    /// switching it on mid-run counts only what is created from then on.
    @inlinable public static var countsLiveObjects: Bool {
        get { countingLiveObjects.load(ordering: .relaxed) }
        set { countingLiveObjects.store(newValue, ordering: .relaxed) }
    }

    /// How many tensor storages created while `countsLiveObjects` was on are still alive. Each
    /// tensor and its views share one storage; a copy-on-write copy makes another. Between two
    /// training steps of a long run this must not grow.
    public static var liveStorageCount: Int { liveStorages.load(ordering: .relaxed) }
}

/// The memory behind one or more tensors.
///
/// Views (transpose, slice, expand, reshape …) share one storage and differ only in shape,
/// strides and offset. `version` counts writes, so Autograd can tell when a tensor it saved for
/// backward was modified in place. Small storages keep their elements in the object itself
/// (one allocation); large ones point to a buffer from `BufferCache`, which reuses freed
/// buffers.
public final class TensorStorage<Scalar: TensorScalar>: ManagedBuffer<TensorStorageHeader<Scalar>, Scalar> {
    /// Up to this many bytes the elements live in the object's tail.
    @usableFromInline static var inlineBytes: Int { 1024 }

    @usableFromInline
    static func make(capacity: Int) -> TensorStorage {
        let counted = countingLiveObjects.load(ordering: .relaxed)
        if counted { liveStorages.wrappingAdd(1, ordering: .relaxed) }
        let bytes = Swift.max(1, capacity) * MemoryLayout<Scalar>.stride
        if bytes <= inlineBytes {
            let object = unsafeDowncast(
                create(minimumCapacity: Swift.max(1, capacity)) { _ in
                    TensorStorageHeader(base: UnsafeMutablePointer(bitPattern: 16)!, capacity: capacity, external: false, counted: counted)
                }, to: TensorStorage.self)
            object.header.base = object.withUnsafeMutablePointerToElements { $0 }
            return object
        }
        let raw = BufferCache.allocate(bytes: bytes)
        let base = raw.bindMemory(to: Scalar.self, capacity: Swift.max(1, capacity))
        return unsafeDowncast(
            create(minimumCapacity: 0) { _ in TensorStorageHeader(base: base, capacity: capacity, external: true, counted: counted) },
            to: TensorStorage.self)
    }

    deinit {
        if header.counted { liveStorages.wrappingSubtract(1, ordering: .relaxed) }
        if header.external {
            BufferCache.release(UnsafeMutableRawPointer(header.base), bytes: Swift.max(1, header.capacity) * MemoryLayout<Scalar>.stride)
        }
    }

    /// The first element.
    @inlinable public var base: UnsafeMutablePointer<Scalar> { header.base }
    /// The number of elements.
    @inlinable public var elementCount: Int { header.capacity }
    /// How many times the storage was written in place.
    @inlinable public var version: Int { header.version }

    @usableFromInline
    func bumpVersion() { header.version &+= 1 }
}

/// An n-dimensional array of `Float` or `Double` with value semantics.
///
/// A tensor is a shape, strides (in elements) and an offset over a `TensorStorage`. It is a value
/// type with copy-on-write storage: copies and views (`transposed()`, `sliced(…)`,
/// `expanded(to:)`, `reshaped(to:)`, …) share the storage without copying any element; the
/// first mutation of a tensor whose storage is shared gives that tensor a private copy first, so
/// a mutation is never visible through another tensor.
///
/// Shapes follow NumPy: a rank-0 tensor (`shape == []`) holds one scalar, and a size-0 dimension
/// is allowed. Binary operations broadcast by NumPy's rules.
// @unchecked: the storage (a ManagedBuffer, which cannot be Sendable) is shared between
// tensors only for reading; every write first makes it unique (copy-on-write).
public struct Tensor<Scalar: TensorScalar>: @unchecked Sendable {
    @usableFromInline var storage: TensorStorage<Scalar>
    /// The size of each dimension.
    public private(set) var shape: [Int]
    /// The distance, in elements, between neighbours along each dimension (0 for a broadcast one).
    public private(set) var strides: [Int]
    /// Where element `[0, 0, …]` sits in the storage.
    public private(set) var offset: Int

    @usableFromInline
    init(storage: TensorStorage<Scalar>, shape: [Int], strides: [Int], offset: Int) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
    }

    /// A contiguous tensor of `shape` with the given row-major `strides` (passed to avoid
    /// recomputing them), elements not initialized.
    @usableFromInline
    init(uninitializedShape shape: [Int], contiguousStrides strides: [Int]) {
        let storage = TensorStorage<Scalar>.make(capacity: checkedElementCount(shape, op: "Tensor"))
        self.init(storage: storage, shape: shape, strides: strides, offset: 0)
    }

    /// Row-major strides for this tensor's shape: its own when it is contiguous (no array is
    /// built), otherwise computed.
    @usableFromInline
    var rowMajorStrides: [Int] { isContiguous ? strides : Tensor.contiguousStrides(for: shape) }

    /// A contiguous tensor of `shape` whose elements are not initialized; `body` must write all
    /// `count` of them.
    @inlinable
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init(
        uninitializedShape shape: [Int],
        initializingWith body: (UnsafeMutableBufferPointer<Scalar>) throws -> Void
    ) rethrows {
        let count = checkedElementCount(shape, op: "Tensor")
        let storage = TensorStorage<Scalar>.make(capacity: count)
        try body(UnsafeMutableBufferPointer(start: storage.base, count: count))
        self.init(storage: storage, shape: shape, strides: Tensor.contiguousStrides(for: shape), offset: 0)
    }

    /// A tensor of `shape` holding `scalars` in row-major order.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init(shape: [Int], scalars: [Scalar]) {
        let count = checkedElementCount(shape, op: "Tensor(shape:scalars:)")
        tensorCheck(
            scalars.count == count,
            "Tensor(shape:scalars:): shape \(describeShape(shape)) holds \(count) elements but \(scalars.count) scalars were given. Fix: pass exactly \(count) scalars, or a shape whose product is \(scalars.count)."
        )
        self.init(uninitializedShape: shape) { buf in
            _ = buf.initialize(from: scalars)
        }
    }

    /// A rank-0 tensor holding `value`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init(_ value: Scalar) {
        self.init(shape: [], repeating: value)
    }

    /// A rank-1 tensor holding `scalars`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init(_ scalars: [Scalar]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// A tensor of `shape` with every element `value`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init(shape: [Int], repeating value: Scalar) {
        self.init(uninitializedShape: shape) { $0.initialize(repeating: value) }
    }

    /// Converts between `Float` and `Double` tensors.
    public init<Other: TensorScalar>(_ other: Tensor<Other>) {
        let c = other.contiguous()
        self.init(uninitializedShape: c.shape) { dst in
            let src = c.storage.base + c.offset
            for i in 0..<dst.count { dst[i] = Scalar(src[i]) }
        }
    }

    /// Row-major strides for `shape`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func contiguousStrides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = acc
            acc *= Swift.max(shape[i], 1)
        }
        return strides
    }

    /// The number of dimensions.
    @inlinable public var rank: Int { shape.count }
    /// The number of elements.
    @inlinable public var count: Int { shape.reduce(1, *) }

    /// Whether the elements lie in row-major order without gaps (offset may be non-zero), so the
    /// tensor's memory can be read as one flat buffer.
    public var isContiguous: Bool {
        var expected = 1
        for i in stride(from: rank - 1, through: 0, by: -1) where shape[i] != 1 {
            if shape[i] == 0 { return true }
            if strides[i] != expected { return false }
            expected *= shape[i]
        }
        return true
    }

    /// An identity for the storage, shared by all views of it (for tests and Autograd).
    public var storageIdentifier: ObjectIdentifier { ObjectIdentifier(storage) }
    /// How many times the storage has been written in place.
    public var storageVersion: Int { storage.version }

    /// This tensor with its elements in a fresh row-major buffer, or itself when already contiguous.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        return Tensor(uninitializedShape: shape) { dst in
            Layout.copy(from: self, to: dst.baseAddress!)
        }
    }

    /// The elements in row-major order.
    public var scalars: [Scalar] {
        let c = contiguous()
        return Array(UnsafeBufferPointer(start: c.storage.base + c.offset, count: c.count))
    }

    /// The single element of a tensor with one element (any rank).
    public var scalar: Scalar {
        tensorCheck(
            count == 1,
            "Tensor.scalar: the tensor has shape \(describeShape(shape)) (\(count) elements). Fix: reduce it first, e.g. with sum(), or read one element with t.scalar(at: [i, j]) (or t[i, j].item)."
        )
        return storage.base[offset]
    }

    /// Calls `body` with the elements as one row-major buffer (copying first if not contiguous).
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        let c = contiguous()
        return try withExtendedLifetime(c) {
            try body(UnsafeBufferPointer(start: c.storage.base + c.offset, count: c.count))
        }
    }

    /// Calls `body` with the elements as one writable row-major buffer. The tensor first gets
    /// storage of its own (copy-on-write) in row-major order.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R
    ) rethrows -> R {
        makeUniqueAndContiguous()
        storage.bumpVersion()
        return try body(UnsafeMutableBufferPointer(start: storage.base + offset, count: count))
    }

    /// Gives this tensor a storage no other tensor shares, laid out contiguously.
    @usableFromInline
    mutating func makeUniqueAndContiguous() {
        if !isKnownUniquelyReferenced(&storage) || !isContiguous {
            let copy = Tensor(uninitializedShape: shape) { dst in Layout.copy(from: self, to: dst.baseAddress!) }
            self = copy
        }
    }

    /// The storage position of the element at `indices`.
    @usableFromInline
    func storageIndex(_ indices: [Int], op: String) -> Int {
        tensorCheck(
            indices.count == rank,
            "\(op): \(indices.count) indices for a tensor of rank \(rank), shape \(describeShape(shape)). Fix: give one index per dimension."
        )
        var p = offset
        for (axis, i) in indices.enumerated() {
            tensorCheck(
                i >= -shape[axis] && i < shape[axis],
                "\(op): index \(i) is out of range for dimension \(axis) of size \(shape[axis]) (shape \(describeShape(shape))). Fix: use an index in \(-shape[axis])..<\(shape[axis])."
            )
            p += (i < 0 ? i + shape[axis] : i) * strides[axis]
        }
        return p
    }

    /// The element at `indices` (one per dimension; negative indices count from the end).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func scalar(at indices: [Int]) -> Scalar {
        storage.base[storageIndex(indices, op: "scalar(at:)")]
    }

    /// The view at `indices` along the leading axes (negative indices count from the end): each
    /// integer drops its axis, on every rank, as PyTorch's `m[1, 2]` — `m[1]` is row 1 (rank 1
    /// for a matrix), `m[1, 2]` and `v[0]` are rank-0 views of one element (`.item` reads it,
    /// `scalar(at:)` reads an element directly).
    ///
    /// Assigning writes the value into those elements (copy-on-write first, so other tensors
    /// sharing the storage never see it): `m[1] = [7, 8, 9]`, `m[1, 2] = [5]`. The value's shape,
    /// after dropping leading axes of size 1, must broadcast to the view's shape (PyTorch's
    /// `m[1] = t`).
    public subscript(indices: Int...) -> Tensor {
        get { leadingView(indices, op: "Tensor subscript") }
        set {
            tensorCheck(
                indices.count <= rank,
                "Tensor subscript: \(indices.count) indices for a tensor of rank \(rank), shape \(describeShape(shape)). Fix: give at most one index per dimension."
            )
            // No view of this tensor is held here: the write below must find the storage unique.
            let viewShape = Array(shape.dropFirst(indices.count))
            let first = Layout.flatIndex(indices + Array(repeating: 0, count: rank - indices.count), shape: shape, op: "Tensor subscript")
            var value = newValue
            while value.rank > viewShape.count && value.shape[0] == 1 { value = value.selecting(0, alongAxis: 0) }
            tensorCheck(
                value.rank <= viewShape.count && zip(value.shape.reversed(), viewShape.reversed()).allSatisfy { $0 == $1 || $0 == 1 },
                "Tensor subscript assignment: a value of shape \(describeShape(newValue.shape)) into \(describeShape(viewShape)) (the view at \(indices) of \(describeShape(shape))). Fix: assign a tensor of shape \(describeShape(viewShape)), or one that broadcasts to it."
            )
            let scalars = value.expanded(to: viewShape).contiguous().scalars
            makeUniqueAndContiguous()
            storage.bumpVersion()
            // Contiguous now: the view is the row-major block from `first`.
            let base = storage.base + offset + first
            for (i, x) in scalars.enumerated() { base[i] = x }
        }
    }

    /// The view with the leading `indices.count` axes fixed at `indices` (and dropped).
    func leadingView(_ indices: [Int], op: String) -> Tensor {
        tensorCheck(
            indices.count <= rank,
            "\(op): \(indices.count) indices for a tensor of rank \(rank), shape \(describeShape(shape)). Fix: give at most one index per dimension."
        )
        var view = self
        for i in indices { view = view.selecting(i, alongAxis: 0) }
        return view
    }
}

extension Tensor: Equatable {
    /// Equal when the shapes are equal and every element is equal (so NaN ≠ NaN, as for scalars).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        lhs.shape == rhs.shape && lhs.scalars == rhs.scalars
    }
}
