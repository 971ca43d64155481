import Foundation

/// Why a file could not be written (the previous file, if any, is unchanged).
public struct FileWriteError: Error, Equatable, CustomStringConvertible {
    /// The path as given.
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { oneLine("cannot write \(path): \(reason)") }
}

/// Atomic file writes, shared by checkpoints and every file the `tapegrad` tool writes.
///
/// `write(_:to:)` writes a temporary file in the target's directory, syncs it and renames it
/// over the target, so a crash or a full disk mid-write leaves the previous file (or nothing).
/// Beyond that:
/// - A symbolic link is followed: the file it points to is replaced (atomically, in that
///   file's directory) and the link stays a link.
/// - An existing file keeps its permission bits (a 0600 checkpoint stays 0600); a new one gets
///   0666 less the umask, as any new file.
/// - The temporary name is short and fixed in length (`.tapegrad-<12 hex digits>.tmp`), so any
///   target name the file system accepts also fits its temporary file.
/// - The target must be a regular file or absent: a directory, a device (`/dev/null`) or a
///   named pipe is refused rather than replaced.
///
/// `checkWritable(_:)` runs the same checks, and creates and removes a temporary file, without
/// touching the target, so a command can refuse an output before doing any work.
public enum AtomicFile {
    /// At most this many symbolic links are followed (Linux's own limit is 40).
    static let maxLinks = 40

    /// The path `write` replaces: `path` with symbolic links followed, and its directory.
    static func resolve(_ path: String) throws(FileWriteError) -> (target: String, directory: String, name: String) {
        guard !path.isEmpty else { throw FileWriteError(path: path, reason: "the path is empty") }
        var current = path
        for _ in 0...maxLinks {
            let name = (current as NSString).lastPathComponent
            if current.hasSuffix("/") || name == "." || name == ".." || name == "/" {
                throw FileWriteError(path: path, reason: "it names a directory; give a file name")
            }
            var info = stat()
            guard lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else {
                let directory = (current as NSString).deletingLastPathComponent
                return (current, directory.isEmpty ? "." : directory, name)
            }
            // A link: read where it points, relative to the link's own directory.
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, Int(PATH_MAX))
            guard n > 0 else { throw FileWriteError(path: path, reason: "cannot read the symbolic link \(current): \(String(cString: strerror(errno)))") }
            let destination = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if destination.hasPrefix("/") {
                current = destination
            } else {
                let directory = (current as NSString).deletingLastPathComponent
                current = directory.isEmpty ? destination : directory + "/" + destination
            }
        }
        throw FileWriteError(path: path, reason: "more than \(maxLinks) symbolic links in a row (a loop?)")
    }

    /// The target's current mode bits, or nil when it does not exist; refuses a target that is
    /// not a regular file, and a directory that is missing or not a directory.
    static func inspect(_ path: String, target: String, directory: String, name: String) throws(FileWriteError) -> mode_t? {
        var info = stat()
        guard stat(directory, &info) == 0 else {
            throw FileWriteError(path: path, reason: "the directory \(directory) does not exist (create it first)")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw FileWriteError(path: path, reason: "\(directory) is not a directory")
        }
        let nameMax = pathconf(directory, Int32(_PC_NAME_MAX))
        let limit = nameMax > 0 ? nameMax : 255
        guard name.utf8.count <= limit else {
            throw FileWriteError(path: path, reason: "the file name is \(name.utf8.count) bytes long; this file system allows \(limit)")
        }
        let directoryInfo = info
        guard stat(target, &info) == 0 else { return nil }
        // In a sticky directory (/tmp) only the file's owner, the directory's owner or root may
        // replace a file: creating the temporary file would succeed and the rename then fail.
        let user = geteuid()
        if directoryInfo.st_mode & S_ISVTX != 0, user != 0, user != info.st_uid, user != directoryInfo.st_uid {
            throw FileWriteError(path: path, reason: "it belongs to another user in a sticky directory, so it cannot be replaced")
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            throw FileWriteError(path: path, reason: "it is a directory; give a file name")
        }
        if let kind = nonRegularKind(info.st_mode) {
            throw FileWriteError(path: path, reason: "\(kind); only a regular file is replaced")
        }
        return info.st_mode & 0o7777
    }

    static func temporaryPath(in directory: String) -> String {
        let digits = String(String(UInt64.random(in: 0..<(1 << 48)) | (1 << 48), radix: 16).dropFirst())
        return directory + "/.tapegrad-" + digits + ".tmp"
    }

    /// Whether `a` and `b` name the same file once links are followed: the same device and
    /// inode when both exist, else the same real directory (`realpath`, so linked folders and
    /// `..` are resolved as the file system does) and the same name, byte for byte. Two outputs
    /// of one run, or an output and an input, must not be one file.
    public static func sameFile(_ a: URL, _ b: URL) -> Bool {
        guard let x = try? resolve(a.path), let y = try? resolve(b.path) else { return false }
        var sx = stat(), sy = stat()
        let xExists = stat(x.target, &sx) == 0, yExists = stat(y.target, &sy) == 0
        if xExists && yExists { return sx.st_dev == sy.st_dev && sx.st_ino == sy.st_ino }
        if xExists != yExists { return false }
        func real(_ directory: String) -> [UInt8]? {
            guard let p = realpath(directory, nil) else { return nil }
            defer { free(p) }
            return Array(String(cString: p).utf8)
        }
        guard let dx = real(x.directory), let dy = real(y.directory) else { return false }
        return dx == dy && Array(x.name.utf8) == Array(y.name.utf8)
    }

    /// Checks that `write(_:to:)` can replace `url` without writing it: links resolve, the
    /// directory exists, the name fits, the target is a regular file or absent, and a temporary
    /// file can be created there (it is created and removed at once).
    /// - Throws: `FileWriteError` saying what is wrong.
    public static func checkWritable(_ url: URL) throws(FileWriteError) {
        let path = url.path
        let (target, directory, name) = try resolve(path)
        _ = try inspect(path, target: target, directory: directory, name: name)
        let temporary = temporaryPath(in: directory)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw FileWriteError(path: path, reason: "cannot create a file in \(directory): \(String(cString: strerror(errno)))")
        }
        close(fd)
        unlink(temporary)
    }

    /// Writes `bytes` to `url` atomically (see the type's notes).
    /// - Parameter beforeRename: a hook for tests, run once the temporary file is complete.
    /// - Throws: `FileWriteError`; the previous file is then unchanged and no temporary file
    ///   is left.
    public static func write(_ bytes: some Collection<UInt8>, to url: URL) throws(FileWriteError) {
        try write(Array(bytes), to: url, beforeRename: nil)
    }

    static func write(_ bytes: [UInt8], to url: URL, beforeRename: (() throws -> Void)?) throws(FileWriteError) {
        let path = url.path
        let (target, directory, name) = try resolve(path)
        let mode = try inspect(path, target: target, directory: directory, name: name)
        let temporary = temporaryPath(in: directory)
        func failure(_ what: String) -> FileWriteError {
            FileWriteError(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw failure("cannot create a temporary file in \(directory)") }
        var closed = false
        var renamed = false
        defer {
            if !closed { close(fd) }
            if !renamed { unlink(temporary) }
        }
        if let mode {  // keep the replaced file's permissions
            guard fchmod(fd, mode) == 0 else { throw failure("cannot set the permissions") }
        }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("write failed")
            }
            written += n
        }
        guard fsync(fd) == 0 else { throw failure("fsync failed") }
        closed = true
        guard close(fd) == 0 else { throw failure("close failed") }
        if let beforeRename {
            do { try beforeRename() } catch { throw FileWriteError(path: path, reason: "\(error)") }
        }
        guard rename(temporary, target) == 0 else { throw failure("cannot rename the temporary file into place") }
        renamed = true
        // Make the rename itself durable.
        let dfd = open(directory, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }
}
