package dev.mapscribe.analyzer.export;

import com.github.luben.zstd.ZstdCompressCtx;
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

    /**
     * One reused ZSTD context per compressor: creating a context per page showed up in the profile
     * (~5 % of the compression time). A compressor belongs to one part writer, used by one thread.
     */
    private static final class ZstdCompressor implements BytesInputCompressor {
        private final ZstdCompressCtx ctx = new ZstdCompressCtx();

        ZstdCompressor(int level) {
            ctx.setLevel(level);
        }

        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            // Fresh arrays per page, though parquet-java 1.18 copies the result at once (writePageV2): reusing both
            // arrays took 1.8 GB of garbage off a 10M-record analysis and no CPU that showed (PERFORMANCE.md).
            return BytesInput.from(ctx.compress(bytes.toByteArray()));
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.ZSTD;
        }

        @Override
        public void release() {
            ctx.close();
        }
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
