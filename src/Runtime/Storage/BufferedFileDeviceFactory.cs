using FASTER.core;

namespace StreamSql.Runtime.Storage;

/// <summary>
/// Named devices (checkpoint and commit metadata files) as <see cref="BufferedFileDevice"/>s, laid out as FASTER's
/// local-storage factory lays them out (a file's device is its name plus ".0"), so existing directories read the same.
/// </summary>
public sealed class BufferedFileDeviceFactory(bool sync) : INamedDeviceFactory
{
    private string _baseName = "";

    public void Initialize(string baseName) => _baseName = baseName;

    public IDevice Get(FileDescriptor fileInfo) =>
        new BufferedFileDevice(Path.Combine(_baseName, fileInfo.directoryName, fileInfo.fileName), sync);

    /// <summary>Newest first, folders before files, as FASTER's recovery expects.</summary>
    public IEnumerable<FileDescriptor> ListContents(string path)
    {
        var directory = new DirectoryInfo(Path.Combine(_baseName, path));
        if (!directory.Exists)
        {
            yield break;
        }

        foreach (var folder in directory.GetDirectories().OrderByDescending(f => f.LastWriteTimeUtc))
        {
            yield return new FileDescriptor(folder.Name, "");
        }

        foreach (var file in directory.GetFiles().OrderByDescending(f => f.LastWriteTimeUtc))
        {
            yield return new FileDescriptor("", file.Name);
        }
    }

    public void Delete(FileDescriptor fileInfo)
    {
        if (fileInfo.fileName is not null)
        {
            var file = Path.Combine(_baseName, fileInfo.directoryName, fileInfo.fileName + ".0");
            if (File.Exists(file))
            {
                File.Delete(file);
            }
        }
        else
        {
            var directory = Path.Combine(_baseName, fileInfo.directoryName);
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
