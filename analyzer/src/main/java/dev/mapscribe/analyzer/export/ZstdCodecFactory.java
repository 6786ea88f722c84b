package dev.mapscribe.analyzer.export;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * The codec factory handed to parquet-java so that it never reaches for Hadoop's codec classes:
 * parquet-java's default factory loads them through Hadoop's Configuration, which is not on the
 * analyzer's run-time class path (shared/FACTS.md). ZSTD via zstd-jni, or no compression.
 */
final class ZstdCodecFactory implements CompressionCodecFactory {
    private final int level;

    ZstdCodecFactory(int level) {
        this.level = level;
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        return switch (codec) {
            case ZSTD -> new ZstdCompressor(level);
            case UNCOMPRESSED -> new Uncompressed();
            default -> throw new IllegalArgumentException("mapscribe writes Parquet with ZSTD or UNCOMPRESSED, not " + codec);
        };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        // The writer never decompresses; reading is DuckDB's job.
        throw new UnsupportedOperationException("mapscribe's Parquet writer does not read Parquet");
    }

    @Override
    public void release() {}

    private record ZstdCompressor(int level) implements BytesInputCompressor {
        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            ByteArrayOutputStream in = new ByteArrayOutputStream((int) bytes.size());
            bytes.writeAllTo(in);
            return BytesInput.from(Zstd.compress(in.toByteArray(), level)); // a fresh array: the page store may keep it
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.ZSTD;
        }

        @Override
        public void release() {}
    }

    private record Uncompressed() implements BytesInputCompressor {
        @Override
        public BytesInput compress(BytesInput bytes) {
            return bytes;
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.UNCOMPRESSED;
        }

        @Override
        public void release() {}
    }
}
